namespace Amct.Engine.Onnx;

/// <summary>
/// Enumerates the graphs, nodes and tensors of a model, including those nested in control-flow subgraphs
/// (If/Loop/Scan bodies), model-local functions and training information. Nesting depth is bounded by the parser's
/// recursion limit, and the walk uses an explicit stack, so a deep model cannot overflow the call stack here.
/// </summary>
public static class ModelWalker
{
    /// <summary>Every graph: the main graph first, then training graphs, then subgraphs as nodes reference them.</summary>
    public static IEnumerable<GraphProto> Graphs(ModelProto model)
    {
        foreach (var graph in NodeOwners(model).Select(owner => owner.Graph).OfType<GraphProto>())
        {
            yield return graph;
        }
    }

    /// <summary>Every node of every graph and function body.</summary>
    public static IEnumerable<NodeProto> Nodes(ModelProto model) =>
        NodeOwners(model).SelectMany(owner => owner.Nodes);

    /// <summary>The initializers of every graph (main, nested and training).</summary>
    public static IEnumerable<TensorProto> Initializers(ModelProto model) =>
        Graphs(model).SelectMany(graph => graph.Initializer);

    /// <summary>
    /// Every dense tensor stored in the model: initializers, the values and indices of sparse initializers, and
    /// tensors held in node attributes (Constant values and the like).
    /// </summary>
    public static IEnumerable<TensorProto> Tensors(ModelProto model)
    {
        foreach (var graph in Graphs(model))
        {
            foreach (var tensor in graph.Initializer)
            {
                yield return tensor;
            }
            foreach (var tensor in graph.SparseInitializer.SelectMany(SparseParts))
            {
                yield return tensor;
            }
        }
        foreach (var attribute in Nodes(model).SelectMany(node => node.Attribute))
        {
            foreach (var tensor in AttributeTensors(attribute))
            {
                yield return tensor;
            }
        }
        foreach (var attribute in model.Functions.SelectMany(function => function.AttributeProto))
        {
            foreach (var tensor in AttributeTensors(attribute))
            {
                yield return tensor;
            }
        }
    }

    private static IEnumerable<TensorProto> AttributeTensors(AttributeProto attribute)
    {
        if (attribute.T is { } tensor)
        {
            yield return tensor;
        }
        foreach (var item in attribute.Tensors)
        {
            yield return item;
        }
        if (attribute.SparseTensor is { } sparse)
        {
            foreach (var part in SparseParts(sparse))
            {
                yield return part;
            }
        }
        foreach (var part in attribute.SparseTensors.SelectMany(SparseParts))
        {
            yield return part;
        }
    }

    private static IEnumerable<TensorProto> SparseParts(SparseTensorProto sparse)
    {
        if (sparse.Values is { } values)
        {
            yield return values;
        }
        if (sparse.Indices is { } indices)
        {
            yield return indices;
        }
    }

    /// <summary>A list of nodes and the graph that holds it (null for a function body).</summary>
    private readonly record struct NodeOwner(GraphProto? Graph, IReadOnlyList<NodeProto> Nodes);

    private static IEnumerable<NodeOwner> NodeOwners(ModelProto model)
    {
        var pending = new Stack<NodeOwner>();
        // Pushed in reverse so the main graph comes out first.
        foreach (var function in model.Functions.Reverse())
        {
            pending.Push(new NodeOwner(null, function.Node));
        }
        foreach (var info in model.TrainingInfo.Reverse())
        {
            PushGraph(pending, info.Algorithm);
            PushGraph(pending, info.Initialization);
        }
        PushGraph(pending, model.Graph);

        while (pending.Count > 0)
        {
            var owner = pending.Pop();
            yield return owner;
            foreach (var attribute in owner.Nodes.SelectMany(node => node.Attribute).Reverse())
            {
                foreach (var subgraph in attribute.Graphs.Reverse())
                {
                    PushGraph(pending, subgraph);
                }
                PushGraph(pending, attribute.G);
            }
        }
    }

    private static void PushGraph(Stack<NodeOwner> pending, GraphProto? graph)
    {
        if (graph is not null)
        {
            pending.Push(new NodeOwner(graph, graph.Node));
        }
    }
}
