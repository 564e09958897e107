using Amct.Engine.Calibration;
using Amct.Engine.ControlFlow;
using Amct.Engine.Data;
using Amct.Engine.Evaluation;
using Amct.Engine.Formats;
using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.Engine.Quantization.Import;
using Amct.Engine.Retraining;

namespace Amct.Engine.Pipeline;

/// <summary>
/// Everything one quantization job knows, passed from stage to stage: the request and where its outputs go, then what
/// each stage found. A property is set by the stage named in its comment and read by the later ones.
/// </summary>
internal sealed class JobContext : IDisposable
{
    private JobContext(QuantizeRequest request, IJobLog log, OutputSet outputs)
    {
        Request = request;
        Log = log;
        Outputs = outputs;
        ModelPath = Path.GetFullPath(request.ModelPath);
    }

    /// <summary>A job for <paramref name="request"/>; its output names and folder are checked before anything else.</summary>
    public static JobContext Create(QuantizeRequest request, IJobLog log) => new(request, log, OutputSet.For(request));

    public QuantizeRequest Request { get; }
    public IJobLog Log { get; }

    /// <summary>The float model's full path: the target of errors about the model.</summary>
    public string ModelPath { get; }

    /// <summary>Where the outputs go, and the files staged for them.</summary>
    public OutputSet Outputs { get; }

    public JobTimings Timings { get; } = new();

    // load
    public QuantConfig? Config { get; set; }
    public JobSettings Settings { get; set; } = null!;

    /// <summary>The model being quantized (prepared in place by the prepare stage).</summary>
    public ModelProto Model { get; set; } = null!;

    /// <summary>The model as loaded, written unchanged when there is nothing to quantize.</summary>
    public ModelProto Original { get; set; } = null!;

    // import: the QDQ model's trained factors, and what the import changed (added to by the plan and weights stages)
    public ImportedQdq? Import { get; set; }
    public List<string> ImportChanges { get; } = [];

    // prepare
    public GraphPreparationResult Preparation { get; set; } = null!;
    public int GemmScalesFolded { get; set; }

    // plan
    public QuantizationPlan Plan { get; set; } = null!;
    public bool NothingToQuantize { get; set; }

    /// <summary>
    /// Whether the post-training weight refinements (weight rounding, bias correction) apply: there are layers to
    /// quantize and their weights come from calibration. A QAT import's and a retraining's (AdaRound, Distill) are
    /// trained and stay as they are; Retrain=Auto's post-training candidate must be the model Retrain=None ships.
    /// </summary>
    public bool RefinesCalibratedWeights =>
        !NothingToQuantize && Import is null && Request.Retrain is RetrainMode.None or RetrainMode.Auto;

    /// <summary>The inputs the data feeds (the others are <see cref="FixedInputs"/>).</summary>
    public IReadOnlyList<ModelInput> Inputs { get; set; } = [];

    /// <summary>Inputs fed a fixed value on every run: given by InputValues, or zero recurrent state.</summary>
    public IReadOnlyList<FixedInput> FixedInputs { get; set; } = [];

    /// <summary>
    /// Carries recurrent state from sample to sample (RecurrentState=carried), or null. Every pass over the data reads
    /// the states through <see cref="DataOptions"/>' cache, which runs this once per sample of each data set.
    /// </summary>
    public Onnx.FloatStateStepper? StateStepper { get; set; }
    public SampleSourceOptions DataOptions { get; set; } = SampleSourceOptions.Default;
    public int BatchSize { get; set; }

    /// <summary>The calibration batches once decoded, for every later pass over them (see <see cref="CalibrationSamples"/>).</summary>
    public CalibrationBatchCache CalibrationBatches { get; } = new();

    /// <summary>The trained factors fitted to the plan (import only; the factors stage takes them).</summary>
    public IReadOnlyList<TensorFactors>? TrainedFactors { get; set; }

    // balance: the tensors DMQ balancing divided per channel (their layers' records carry the factors)
    public IReadOnlyList<Quantization.Balancing.BalancedTensor> Balanced { get; set; } = [];

    // factors (the fallback and the speed search replace them; CalibratedFactors stay those of every planned layer)
    public IReadOnlyList<TensorFactors> Factors { get; set; } = [];
    public IReadOnlyList<TensorFactors> CalibratedFactors { get; set; } = [];

    /// <summary>
    /// The record the factors come from (--record; read by the load stage): its skip_fusion entries are left unfolded,
    /// its weight scales applied by the weights stage.
    /// </summary>
    public IReadOnlyList<LayerRecord>? Record { get; set; }
    public CalibrationInfo CalibrationInfo { get; set; } = null!;

    /// <summary>What calibration observed of each tensor (null when the factors came from a record or training).</summary>
    public IReadOnlyDictionary<string, TensorObservation>? Observations { get; set; }

    // output-aware ranges: each layer it measured, with the input factors chosen and the output error they cause
    // (bias correction takes the shifts from here instead of measuring again)
    public Dictionary<string, (ActivationParams Input, Quantization.OutputError.LayerOutputError Error)> MeasuredLayers { get; } =
        new(StringComparer.Ordinal);

    // weights
    public IReadOnlyDictionary<string, QuantizedWeights> Weights { get; set; } = new Dictionary<string, QuantizedWeights>();

    // weight rounding (null when it did not run)
    public WeightRoundingReport? WeightRounding { get; set; }

    // bias correction (null when it had nothing to do)
    public BiasCorrectionReport? BiasCorrection { get; set; }

    // retrain (null without Retrain)
    public RetrainReport? Retraining { get; set; }

    // build QDQ (the fallback replaces it, with the plan and factors it was built from)
    public ModelProto Quantized { get; set; } = null!;

    // subgraphs: the layers quantized inside If branches, and those kept float there
    public SubgraphOutcome Subgraphs { get; set; } = SubgraphOutcome.None;

    // evaluate
    public JobEvaluator? Evaluator { get; set; }
    public EvaluationResult? Evaluation { get; set; }
    public GateVerdict? Verdict { get; set; }

    // fallback
    public FallbackReport? Fallback { get; set; }

    // speed: the layer groups kept in float because they run faster so
    public Latency.SpeedChoiceReport? SpeedChoice { get; set; }

    // gate
    public GateReport? Gate { get; set; }

    /// <summary>False when the gate failed and the failure is an error: no model or record is written.</summary>
    public bool KeepOutputs => Gate is not { Passed: false } || Request.AccuracyFailureIsWarning;

    // latency: the int8 and the float model timed (reports only)
    public LatencyReport? Latency { get; set; }

    // layer errors: each int8 layer's output against the float model's (reports only)
    public Evaluation.LayerErrors.LayerErrorReport? LayerErrors { get; set; }

    // publish
    public QuantizeResult? Result { get; set; }

    /// <summary>The factors by tensor name, as the QDQ builder and the report take them.</summary>
    public Dictionary<string, ActivationParams> Parameters() =>
        Factors.ToDictionary(f => f.Tensor, f => f.Params, StringComparer.Ordinal);

    /// <summary>Rebuilds the quantized model with more layers in float, reusing this job's calibration.</summary>
    public Rebuilder CreateRebuilder() =>
        new(Model, Settings, CalibratedFactors, Weights, ModelPath, Request.SignedActivationStorage, Subgraphs, Import);

    public void Dispose()
    {
        Evaluator?.Dispose();
        StateStepper?.Dispose();
        Outputs.Dispose();
    }
}
