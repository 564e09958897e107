using Amct.Engine.Quantization.Import;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// AMCT's convert_qat_model as a mode of the job: a model holding Q/DQ pairs (QatImport auto) or any model (QatImport
/// on) has its pairs taken out and their trained factors kept; the later stages plan the float graph they wrapped,
/// take the trained factors instead of calibrating, and write the same int8 model and record as for PTQ.
/// </summary>
internal sealed class ImportQdqStage() : JobStage("import QDQ", StageTiming.Prepare)
{
    public override void Run(JobContext context)
    {
        var mode = context.Request.QatImport;
        var holdsQdq = QdqImport.HoldsQdq(context.Model);
        if (mode == QatImportMode.Off || (mode == QatImportMode.Auto && !holdsQdq))
        {
            return;
        }
        if (!holdsQdq)
        {
            throw new AmctException(ErrorCodes.QatImportNothingToImport, context.ModelPath,
                "QatImport is on but the model holds no QuantizeLinear/DequantizeLinear: there are no trained factors to " +
                "import. Give the QAT export, or leave QatImport at auto to calibrate this model.");
        }
        var import = QdqImport.Strip(context.Model, context.ModelPath);
        context.Import = import;
        context.ImportChanges.AddRange(import.Changes);
        context.Model = import.FloatModel;
        // The float graph behind the pairs is what the int8 model is timed against (ONNX Runtime may refuse the export).
        context.Original = import.FloatModel.Clone();
        context.Log.Info($"importing a QAT (QDQ) model: {import.Pairs} DequantizeLinear nodes, their trained factors kept; no calibration");
    }
}
