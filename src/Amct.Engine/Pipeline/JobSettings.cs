using System.Globalization;
using Amct.Engine.Calibration;
using Amct.Engine.Formats;
using Amct.Engine.Graph.Opset;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.Engine.Settings;

namespace Amct.Engine.Pipeline;

/// <summary>
/// The effective settings of one job: request values where given, else the AMCT config's global values, else the
/// defaults; per-layer config entries then override for their layers (skip, channel_wise, act_algo).
/// </summary>
internal sealed class JobSettings
{
    private readonly QuantConfig? _config;
    private readonly string? _configPath;

    private JobSettings(QuantConfig? config, string? configPath)
    {
        _config = config;
        _configPath = configPath;
    }

    public ActivationMode Activation { get; private init; }
    public WeightGranularity ConvWeights { get; private init; }
    public WeightGranularity MatMulWeights { get; private init; }
    public string MethodName { get; private init; } = RangeMethods.DefaultName;
    public IRangeMethod DefaultMethod { get; private init; } = null!;
    public int BatchSize { get; private init; }
    /// <summary>The request's sample count (wins over <c>batch_num</c>), if it gives one.</summary>
    private long? RequestedSamples { get; init; }

    /// <summary>The config's <c>batch_num</c>, if it gives one.</summary>
    private int? BatchNum { get; init; }
    public bool DoFusion { get; private init; }
    public OpsetPolicy Opset { get; private init; }

    /// <summary>Set by the prepare stage: false when the model keeps an opset before 13 (per-tensor weights only).</summary>
    public bool PerChannelAllowed { get; set; } = true;

    /// <summary>The Mul nodes the balance stage inserted (see <see cref="PlanOptions.BalanceNodes"/>); set by that stage.</summary>
    public IReadOnlySet<string> BalanceNodes { get; set; } = new HashSet<string>(StringComparer.Ordinal);
    public IReadOnlySet<string> SkipFusionLayers { get; private init; } = new HashSet<string>();
    public IReadOnlySet<string> SkipLayers { get; private init; } = new HashSet<string>();
    public IReadOnlySet<string> SkipOpTypes { get; private init; } = new HashSet<string>();

    /// <summary>Range methods of tensors that feed a layer with its own act_algo in the config.</summary>
    private Dictionary<string, IRangeMethod> TensorMethods { get; } = new(StringComparer.Ordinal);

    public bool NeedsHistograms => DefaultMethod.NeedsHistogram || TensorMethods.Values.Any(m => m.NeedsHistogram);

    public static JobSettings Resolve(QuantizeRequest request, QuantConfig? config)
    {
        var methodName = request.Method ?? RangeMethods.DefaultName;
        if (!RangeMethods.TryCreate(methodName, out var method))
        {
            throw new AmctException(ErrorCodes.BadSettingValue, "method",
                $"unknown calibration method '{methodName}'. Valid values: {string.Join(", ", RangeMethods.Names)}.");
        }
        // A simplified config's common_config sets the job's method (and its parameters) unless the request names one.
        if (request.Method is null && config?.CommonActivation is { Algorithm: { } commonAlgorithm } common)
        {
            method = MethodFromConfig(commonAlgorithm, common);
        }
        var commonChannelWise = config?.CommonWeight?.ChannelWise;
        if (request.WeightBits is < 2 or > 8)
        {
            throw new AmctException(ErrorCodes.BadSettingValue, "weight-bits", $"weight bits {request.WeightBits} must be 2 to 8.");
        }
        var batchSize = request.BatchSize ?? QuantizationJob.DefaultBatchSize;
        CheckRanges(request, batchSize);
        var skipLayers = new HashSet<string>(request.SkipLayers, StringComparer.Ordinal);
        skipLayers.UnionWith(config?.SkipLayers ?? []);
        skipLayers.UnionWith(config?.Layers.Where(l => l.QuantEnable == false).Select(l => l.Name) ?? []);
        var skipTypes = new HashSet<string>(request.SkipOpTypes, StringComparer.Ordinal);
        skipTypes.UnionWith(config?.SkipLayerTypes ?? []);
        return new JobSettings(config, request.ConfigFile)
        {
            Activation = request.Activation
                ?? ((config?.CommonActivation?.Asymmetric ?? config?.ActivationOffset) is { } offset
                    ? (offset ? ActivationMode.Asymmetric : ActivationMode.Symmetric)
                    : ActivationMode.Asymmetric),
            // common_config's channel_wise: AMCT applies per-channel scales only where a layer has channels to give
            // (convolutions), so true leaves matrix products as they are and false makes every layer per tensor.
            ConvWeights = request.ConvWeights ?? (commonChannelWise == false ? WeightGranularity.PerTensor : WeightGranularity.PerChannel),
            MatMulWeights = request.MatMulWeights ?? (commonChannelWise == false ? WeightGranularity.PerTensor : WeightGranularity.PerChannel),
            MethodName = method.Name,
            DefaultMethod = method,
            BatchSize = batchSize,
            RequestedSamples = request.SampleCount,
            BatchNum = config?.BatchNum,
            DoFusion = request.DoFusion ?? config?.DoFusion ?? true,
            Opset = request.Opset ?? OpsetPolicy.Auto,
            SkipFusionLayers = new HashSet<string>(config?.SkipFusionLayers ?? [], StringComparer.Ordinal),
            SkipLayers = skipLayers,
            SkipOpTypes = skipTypes,
            DmqBalancing = request.DmqBalancing,
            WeightOnlyFallback = request.WeightOnlyFallback,
            MigrationStrength = request.MigrationStrength ?? Quantization.Balancing.BalanceFactors.DefaultStrength,
        };
    }

    /// <summary>WeightOnlyFallback: layers that cannot have int8 activations get int8 weights with float compute.</summary>
    public bool WeightOnlyFallback { get; private init; }

    /// <summary>DmqBalancing: balance the layers whose input a few channels dominate, with <see cref="MigrationStrength"/>.</summary>
    public bool DmqBalancing { get; private init; }

    public double MigrationStrength { get; private init; }

    /// <summary>
    /// Which layers DMQ balancing may balance, and how strongly: a layer an AMCT config asks for (its own entry, its op
    /// type's override, then common_config — AMCT's priority) is balanced with the config's strength whatever its
    /// ranges (forced); with DmqBalancing on, every other layer with <see cref="MigrationStrength"/>, if a few channels
    /// dominate its input. Null: not balanced.
    /// </summary>
    public Func<string, (double Strength, bool Forced)?> BalanceStrengths(GraphProto graph)
    {
        var configured = LayerConfigs(graph).Where(l => l.DmqStrength is not null)
            .GroupBy(l => l.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().DmqStrength!.Value, StringComparer.Ordinal);
        var common = _config?.CommonDmqStrength;
        return layer => configured.TryGetValue(layer, out var own) ? (own, true)
            : common is { } all ? (all, true)
            : DmqBalancing ? (MigrationStrength, false)
            : null;
    }

    /// <summary>
    /// The request's counts, checked against the settings contract (the same ranges the command line and the build
    /// enforce), so that no caller can ask for a batch the size of the address space. Thresholds must be finite (a NaN
    /// passes every comparison); their 0..1 range is the text surfaces' check, as tests force a failing gate with 1.01.
    /// </summary>
    private static void CheckRanges(QuantizeRequest request, int batchSize)
    {
        Check(SettingList.BatchSize, batchSize);
        Check(SettingList.SampleCount, request.SampleCount);
        Check(SettingList.TrainingSampleCount, request.TrainingSampleCount);
        Check(SettingList.MaxFallbackLayers, request.MaxFallbackLayers);
        if (request.MigrationStrength is { } strength && !(strength >= 0 && strength <= 1))
        {
            throw new AmctException(ErrorCodes.BadSettingValue, SettingList.MigrationStrength.Flag!,
                string.Create(CultureInfo.InvariantCulture, $"{strength} is not a migration strength; give a number from 0 to 1 (AMCT's default 0.5)."));
        }
        var gate = request.Gate;
        var thresholds = new[]
        {
            (SettingList.MinAccuracy, gate.MinAccuracy), (SettingList.MaxAccuracyDrop, gate.MaxAccuracyDrop),
            (SettingList.MaxRelativeAccuracyDrop, gate.MaxRelativeAccuracyDrop), (SettingList.MinTop1Agreement, gate.MinTop1Agreement),
            (SettingList.MinCosineSimilarity, gate.MinCosineSimilarity), (SettingList.MinSqnrDb, gate.MinSqnrDb),
        };
        foreach (var (setting, value) in thresholds)
        {
            if (value is { } threshold && !double.IsFinite(threshold))
            {
                throw new AmctException(ErrorCodes.BadSettingValue, setting.Flag!,
                    string.Create(CultureInfo.InvariantCulture, $"{threshold} is not a number; a threshold must be finite."));
            }
        }
    }

    private static void Check(Setting setting, long? value)
    {
        var text = value?.ToString(CultureInfo.InvariantCulture);
        if (text is not null && setting.Parse(text, metadata: false, out _, out var message) is null)
        {
            throw new AmctException(ErrorCodes.BadSettingValue, setting.Flag!, $"{text} {message}.");
        }
    }

    public PlanOptions PlanOptions(GraphProto graph)
    {
        var layerWeights = new Dictionary<string, WeightGranularity>(StringComparer.Ordinal);
        foreach (var layer in LayerConfigs(graph))
        {
            if (layer.Weight?.ChannelWise is { } channelWise)
            {
                layerWeights[layer.Name] = channelWise ? WeightGranularity.PerChannel : WeightGranularity.PerTensor;
            }
            if (layer.Activation is { } activation && graph.Node.FirstOrDefault(n => n.Name == layer.Name) is { } node)
            {
                // A layer without act_algo uses the job's method; its parameters must belong to that method.
                // auto is not an AMCT algorithm: such a layer is calibrated with auto's own first candidate, IFMR.
                var algorithm = activation.Algorithm ?? ActivationAlgorithms.Names.FirstOrDefault(n => n.Key == MethodName) switch
                {
                    { Key: not null } entry => entry.Value,
                    _ => ActivationAlgorithm.Ifmr,
                };
                if (activation.ParametersNotUsedBy(algorithm) is [var first, ..])
                {
                    throw new AmctException(ErrorCodes.ConfigParameterNotForAlgorithm, Path.GetFullPath(_configPath!),
                        $"{layer.Name}.activation_quant_params.{first}: not a parameter of {ActivationAlgorithms.NameOf(algorithm)}, " +
                        "the algorithm this layer uses. Remove it or set act_algo.");
                }
                if (activation.Asymmetric is { } asymmetric && asymmetric != (Activation == ActivationMode.Asymmetric))
                {
                    throw new AmctException(ErrorCodes.ConfigUnsupported, Path.GetFullPath(_configPath!),
                        $"{layer.Name}.activation_quant_params.asymmetric: per-layer activation modes are not supported; " +
                        "the whole model uses one mode (activation_offset, --activation). Remove the key or make it match.");
                }
                TensorMethods[node.Input[0]] = MethodFromConfig(algorithm, activation);
            }
        }
        foreach (var tensor in _config?.TensorQuantize ?? [])
        {
            if (tensor.Activation is { Algorithm: { } algorithm } activation
                && graph.Node.FirstOrDefault(n => n.Name == tensor.LayerName) is { } node && tensor.InputIndex < node.Input.Count)
            {
                TensorMethods[node.Input[tensor.InputIndex]] = MethodFromConfig(algorithm, activation);
            }
        }
        return new PlanOptions
        {
            Activation = Activation,
            ConvWeights = ConvWeights,
            MatMulWeights = MatMulWeights,
            PerChannelAllowed = PerChannelAllowed,
            SkipLayers = SkipLayers,
            SkipOpTypes = SkipOpTypes,
            LayerWeights = layerWeights,
            BalanceNodes = BalanceNodes,
            WeightOnlyFallback = WeightOnlyFallback,
        };
    }

    /// <summary>
    /// The per-layer settings: a layer's own entry (JSON layer key, <c>override_layer_configs</c>), else its operator
    /// type's (<c>override_layer_types</c>) — AMCT's priority; <c>common_config</c> is the job's defaults.
    /// </summary>
    private IEnumerable<LayerQuantConfig> LayerConfigs(GraphProto graph)
    {
        var own = _config?.Layers ?? [];
        var named = own.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        var byType = (_config?.LayerTypes ?? []).ToLookup(t => t.OpType, StringComparer.Ordinal);
        var fromTypes = graph.Node
            .Where(n => !named.Contains(n.Name) && byType.Contains(n.OpType))
            .Select(n => (Node: n, Type: byType[n.OpType].Last()))
            .Select(x => new LayerQuantConfig(x.Node.Name) { Activation = x.Type.Activation, Weight = x.Type.Weight, DmqStrength = x.Type.DmqStrength });
        return own.Concat(fromTypes);
    }

    /// <summary>Operator types of <c>override_layer_types</c> no node of the model has (AMCT's PyTorch or Caffe names, say).</summary>
    public IEnumerable<string> UnknownOpTypes(GraphProto graph)
    {
        var types = graph.Node.Select(n => n.OpType).ToHashSet(StringComparer.Ordinal);
        return (_config?.LayerTypes ?? []).Select(t => t.OpType).Where(t => !types.Contains(t)).Distinct(StringComparer.Ordinal);
    }

    public IRangeMethod MethodFor(string tensor) => TensorMethods.GetValueOrDefault(tensor) ?? DefaultMethod;

    /// <summary>Layer names the settings mention that the model does not have (a typo would silently do nothing).</summary>
    public IEnumerable<string> UnknownLayerNames(GraphProto graph)
    {
        var names = graph.Node.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var mentioned = SkipLayers.Concat(SkipFusionLayers).Concat(_config?.Layers.Select(l => l.Name) ?? [])
            .Concat(_config?.TensorQuantize.Select(t => t.LayerName) ?? []);
        return mentioned.Where(n => !names.Contains(n)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
    }

    /// <summary>
    /// How many calibration samples to use (null: all): the request's count, or <c>batch_num</c> batches of the batch
    /// size the job runs with — as AMCT means it, so a model whose batch is fixed at 1 calibrates on batch_num samples.
    /// </summary>
    /// <param name="batchSize">The batch size the job runs with: the model's fixed batch, or the requested one.</param>
    public long? SamplesFor(int batchSize) => RequestedSamples ?? (BatchNum is { } batches ? (long)batches * batchSize : null);

    public ReportSettings ToReport(int batchSize, QuantizeRequest request) => new(
        Activation.ToString().ToLowerInvariant(),
        Granularity(ConvWeights),
        Granularity(MatMulWeights),
        MethodName,
        batchSize,
        SamplesFor(batchSize),
        DoFusion,
        SkipLayers.Order(StringComparer.Ordinal).ToList(),
        SkipOpTypes.Order(StringComparer.Ordinal).ToList(),
        _configPath is null ? null : Path.GetFullPath(_configPath),
        request.RecordInput is null ? null : Path.GetFullPath(request.RecordInput));

    private static string Granularity(WeightGranularity granularity) =>
        granularity == WeightGranularity.PerChannel ? "per-channel" : "per-tensor";

    private static IRangeMethod MethodFromConfig(ActivationAlgorithm algorithm, ActivationQuantParams p) => algorithm switch
    {
        ActivationAlgorithm.Ifmr => new IfmrMethod(
            p.MaxPercentile ?? 0.999999, p.MinPercentile ?? 0.999999,
            p.SearchRange?.Start ?? 0.7, p.SearchRange?.End ?? 1.3, p.SearchStep ?? 0.01),
        ActivationAlgorithm.Hfmg => new HfmgMethod(p.NumOfBins ?? 4096),
        _ => RangeMethods.TryCreate(ActivationAlgorithms.NameOf(algorithm), out var method)
            ? method
            : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"no range method for {algorithm}")),
    };
}
