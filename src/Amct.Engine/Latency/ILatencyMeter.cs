using Amct.Engine.Evaluation;
using Amct.Engine.Formats;
using Amct.Engine.Onnx;

namespace Amct.Engine.Latency;

/// <summary>Times the float and the int8 model on one batch (a seam: tests give figures without timing anything).</summary>
internal interface ILatencyMeter
{
    LatencyReport Measure(ModelProto floatModel, ModelProto quantized, InputBatch batch, int threads, string source);
}
