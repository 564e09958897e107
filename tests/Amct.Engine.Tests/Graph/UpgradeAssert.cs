using Amct.Engine.Graph.Opset;
using Amct.Engine.Onnx;

namespace Amct.Engine.Tests.Graph;

internal static class UpgradeAssert
{
    /// <summary>
    /// Upgrades a copy of the model to opset 13 and asserts it runs in ONNX Runtime with the same outputs as the
    /// original on the same inputs. Returns the upgraded copy for further checks.
    /// </summary>
    public static ModelProto KeepsOutputs(ModelProto model, params TensorProto[] inputs)
    {
        var before = OrtRunner.Run(model, inputs);
        var upgraded = model.Clone();

        var from = OpsetUpgrade.Apply(upgraded, "model.onnx");

        Assert.AreEqual(model.OpsetImport.Single(o => o.Domain is "" or "ai.onnx").Version, from);
        Assert.AreEqual(13L, upgraded.OpsetImport.Single(o => o.Domain is "" or "ai.onnx").Version);
        Assert.AreEqual(Math.Max(model.IrVersion, 7), upgraded.IrVersion);
        TestTensors.AssertAllClose(before, OrtRunner.Run(upgraded, inputs), 1e-6);
        return upgraded;
    }

    /// <summary>Upgrading the model fails with the given code, naming the node.</summary>
    public static AmctException Fails(ModelProto model, string code, string nodeName)
    {
        var original = model.Clone();
        var error = Assert.ThrowsExactly<AmctException>(() => OpsetUpgrade.Apply(model, "model.onnx"));
        Assert.AreEqual(code, error.Code, error.Message);
        Assert.AreEqual("model.onnx", error.Target);
        StringAssert.Contains(error.Message, $"'{nodeName}'");
        StringAssert.Contains(error.Message, "opset 13 or later");
        Assert.AreEqual(original, model, "a failed upgrade leaves the model as it was");
        return error;
    }
}
