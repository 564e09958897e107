using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Graph;

[TestClass]
public sealed class DeadNodeRemovalTests
{
    [TestMethod]
    public void A_dead_branch_and_the_weights_only_it_read_are_removed()
    {
        // X → relu → Y is the model; X → mul(W) → dead1 → exp → dead2 leads nowhere.
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, 2)
            .Output("Y", DataTypes.Float, 2)
            .Initializer("W", [2], [1f, 2f])
            .Initializer("unused", [1], [3f])
            .Node("Mul", ["X", "W"], ["dead1"], "mul")
            .Node("Exp", ["dead1"], ["dead2"], "exp")
            .Node("Relu", ["X"], ["Y"], "relu")
            .Build();
        model.Graph.ValueInfo.Add(ModelBuilder.Value("dead1", DataTypes.Float, [2]));

        var result = DeadNodeRemoval.Apply(model.Graph);

        CollectionAssert.AreEqual(new[] { "mul", "exp" }, result.RemovedNodes.ToArray());
        CollectionAssert.AreEquivalent(new[] { "W", "unused" }, result.RemovedInitializers.ToArray());
        Assert.AreEqual("relu", model.Graph.Node.Single().Name);
        Assert.IsEmpty(model.Graph.Initializer);
        Assert.IsEmpty(model.Graph.ValueInfo, "the value_info of a removed value goes too");
        Assert.AreEqual("X", model.Graph.Input.Single().Name, "graph inputs stay");
    }

    [TestMethod]
    public void An_unsorted_graph_keeps_every_node_an_output_depends_on()
    {
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, 2)
            .Output("Y", DataTypes.Float, 2)
            .Node("Neg", ["b"], ["Y"], "last")
            .Node("Relu", ["a"], ["b"], "middle")
            .Node("Abs", ["X"], ["a"], "first")
            .Build();

        Assert.IsEmpty(DeadNodeRemoval.Apply(model.Graph).RemovedNodes);
        Assert.HasCount(3, model.Graph.Node);
    }

    [TestMethod]
    public void A_value_read_only_inside_a_subgraph_is_kept()
    {
        var branch = new GraphProto
        {
            Name = "branch",
            Node = { new NodeProto { OpType = "Identity", Name = "inner", Input = { "outer" }, Output = { "inner_out" } } },
            Output = { ModelBuilder.Value("inner_out", DataTypes.Float, [2]) },
        };
        var model = new ModelBuilder()
            .Input("C", DataTypes.Bool)
            .Input("X", DataTypes.Float, 2)
            .Output("Y", DataTypes.Float, 2)
            .Node("Relu", ["X"], ["outer"], "producer")
            .Node("If", ["C"], ["Y"], "if", ModelBuilder.GraphAttribute("then_branch", branch), ModelBuilder.GraphAttribute("else_branch", branch))
            .Build();

        Assert.IsEmpty(DeadNodeRemoval.Apply(model.Graph).RemovedNodes);
    }

    [TestMethod]
    public void Initializers_listed_as_graph_inputs_before_ir_4_go_with_their_input_entry()
    {
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, 2)
            .Input("old", DataTypes.Float, 1)
            .Output("Y", DataTypes.Float, 2)
            .Initializer("old", [1], [1f])
            .Node("Relu", ["X"], ["Y"], "relu")
            .Build();

        DeadNodeRemoval.Apply(model.Graph);

        CollectionAssert.AreEqual(new[] { "X" }, model.Graph.Input.Select(i => i.Name).ToArray());
    }
}
