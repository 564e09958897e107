using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Tests.Graph;

[TestClass]
public sealed class UniqueNodeNamesTests
{
    [TestMethod]
    public void Unnamed_nodes_are_named_op_type_and_position_and_duplicates_get_a_suffix()
    {
        var graph = Graph(("conv", "Conv"), ("", "Relu"), ("conv", "Conv"), ("unique", "Add"), ("", "Relu"), ("conv", "Conv"));

        var renames = UniqueNodeNames.Apply(graph);

        CollectionAssert.AreEqual(new[] { "conv", "Relu_1", "conv_1", "unique", "Relu_4", "conv_2" }, Names(graph));
        CollectionAssert.AreEqual(new[]
        {
            new NodeRename(1, "", "Relu_1"),
            new NodeRename(2, "conv", "conv_1"),
            new NodeRename(4, "", "Relu_4"),
            new NodeRename(5, "conv", "conv_2"),
        }, renames.ToArray());
    }

    [TestMethod]
    public void Generated_names_never_take_a_name_another_node_already_has()
    {
        // "Relu_0" and "a_1" belong to later nodes; the generated names must go around them.
        var graph = Graph(("", "Relu"), ("a", "Add"), ("a", "Add"), ("Relu_0", "Relu"), ("a_1", "Mul"));

        UniqueNodeNames.Apply(graph);

        CollectionAssert.AreEqual(new[] { "Relu_0_1", "a", "a_2", "Relu_0", "a_1" }, Names(graph));
    }

    [TestMethod]
    public void A_graph_whose_names_are_unique_is_untouched()
    {
        var graph = Graph(("x", "Conv"), ("y", "Relu"), ("Relu_7", "Relu"));
        var original = graph.Clone();

        Assert.IsEmpty(UniqueNodeNames.Apply(graph));
        Assert.AreEqual(original, graph);
    }

    private static GraphProto Graph(params (string Name, string OpType)[] nodes)
    {
        var graph = new GraphProto();
        foreach (var (name, opType) in nodes)
        {
            graph.Node.Add(new NodeProto { Name = name, OpType = opType });
        }
        return graph;
    }

    private static string[] Names(GraphProto graph) => graph.Node.Select(n => n.Name).ToArray();
}
