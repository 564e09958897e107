using TorchSharp;
using Amct.Engine.Graph;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Amct.Qat.Interpreter;

/// <summary>Operators that move, select or make values without computing on them: shapes, slicing, gathering, constants.</summary>
internal static class ShapeOps
{
    public static readonly IReadOnlyDictionary<string, Func<NodeCall, Tensor[]>> All =
        new Dictionary<string, Func<NodeCall, Tensor[]>>(StringComparer.Ordinal)
        {
            ["Identity"] = c => [c.In(0)],
            ["Dropout"] = c => [c.In(0)],
            ["Concat"] = c => [cat(c.All.ToArray(), c.Int("axis", 0))],
            ["Flatten"] = c => [Flatten(c)],
            ["Reshape"] = c => [Reshape(c)],
            ["Transpose"] = c => [c.In(0).permute(c.Ints("perm") ?? Enumerable.Range(0, (int)c.In(0).dim()).Reverse().Select(i => (long)i).ToArray())],
            ["Squeeze"] = c => [Squeeze(c)],
            ["Unsqueeze"] = c => [Unsqueeze(c)],
            ["Expand"] = c => [Expand(c.In(0), TorchTensors.Longs(c.In(1)))],
            ["Tile"] = c => [c.In(0).tile(TorchTensors.Longs(c.In(1)))],
            ["Split"] = Split,
            ["Slice"] = c => [Slice(c)],
            ["Gather"] = c => [Gather(c)],
            ["Pad"] = c => [Pad(c)],
            ["Shape"] = c => [Shape(c)],
            ["Size"] = c => [tensor(c.In(0).numel())],
            ["ConstantOfShape"] = c => [ConstantOfShape(c)],
            ["Range"] = c => [Range(c)],
            ["Constant"] = c => [Constant(c)],
        };

    private static Tensor Flatten(NodeCall c)
    {
        var x = c.In(0);
        var axis = NodeCall.Axis(c.Int("axis", 1), x.dim());
        var outer = x.shape.Take((int)axis).Aggregate(1L, (p, d) => p * d);
        return x.reshape(outer, -1);
    }

    private static Tensor Reshape(NodeCall c)
    {
        var x = c.In(0);
        var shape = TorchTensors.Longs(c.In(1));
        if (c.Int("allowzero", 0) == 0)
        {
            for (var i = 0; i < shape.Length; i++)
            {
                shape[i] = shape[i] == 0 ? x.shape[i] : shape[i];
            }
        }
        return x.reshape(shape);
    }

    private static Tensor Squeeze(NodeCall c)
    {
        var axes = c.IntsFrom(1, "axes");
        var x = c.In(0);
        if (axes is null)
        {
            return x.squeeze();
        }
        foreach (var axis in axes.Select(v => NodeCall.Axis(v, x.dim())).OrderDescending())
        {
            x = x.squeeze(axis);
        }
        return x;
    }

    private static Tensor Unsqueeze(NodeCall c)
    {
        var axes = c.IntsFrom(1, "axes") ?? throw c.Unsupported("Unsqueeze without axes");
        var x = c.In(0);
        var rank = x.dim() + axes.Length;
        foreach (var axis in axes.Select(v => NodeCall.Axis(v, rank)).Order())
        {
            x = x.unsqueeze(axis);
        }
        return x;
    }

    /// <summary>Expand broadcasts both ways: the result has the broadcast of the value's shape and the given one.</summary>
    private static Tensor Expand(Tensor x, long[] shape)
    {
        var rank = Math.Max(x.dim(), shape.Length);
        var result = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var a = i - (rank - x.dim()) is var ai and >= 0 ? x.shape[ai] : 1;
            var b = i - (rank - shape.Length) is var bi and >= 0 ? shape[bi] : 1;
            result[i] = a == 1 ? b : a;
        }
        return x.expand(result);
    }

    /// <summary>Sizes from the second input (opset 13) or the attribute; else equal parts, the last one smaller.</summary>
    private static Tensor[] Split(NodeCall c)
    {
        var x = c.In(0);
        var axis = NodeCall.Axis(c.Int("axis", 0), x.dim());
        var sizes = c.IntsFrom(1, "split") ?? EqualParts(x.shape[axis], c.Int("num_outputs", c.Outputs));
        return x.split(sizes, dim: axis);
    }

    private static long[] EqualParts(long size, long parts)
    {
        var part = (size + parts - 1) / parts;
        return Enumerable.Range(0, (int)parts).Select(i => Math.Clamp(size - (i * part), 0, part)).ToArray();
    }

    private static Tensor Slice(NodeCall c)
    {
        var x = c.In(0);
        // Opset 10 moved starts, ends, axes and steps from attributes to inputs.
        var starts = c.IntsFrom(1, "starts") ?? throw c.Unsupported("Slice without starts");
        var ends = c.IntsFrom(2, "ends") ?? throw c.Unsupported("Slice without ends");
        var axes = c.IntsFrom(3, "axes") ?? Enumerable.Range(0, starts.Length).Select(a => (long)a).ToArray();
        var steps = c.Optional(4) is { } s ? TorchTensors.Longs(s) : Enumerable.Repeat(1L, starts.Length).ToArray();
        for (var i = 0; i < axes.Length; i++)
        {
            var axis = NodeCall.Axis(axes[i], x.dim());
            var size = x.shape[axis];
            var (start, end) = (Within(starts[i], size), Within(ends[i], size));
            if (steps[i] > 0)
            {
                x = x.slice(axis, Math.Clamp(start, 0, size), Math.Max(Math.Clamp(end, 0, size), Math.Clamp(start, 0, size)), steps[i]);
            }
            else if (steps[i] < 0)
            {
                // Backwards: start is clamped to [0, size-1], end to [-1, size-1]; torch slices forwards only.
                var first = Math.Clamp(start, 0, size - 1);
                var stop = Math.Clamp(end, -1, size - 1);
                var picked = new List<long>();
                for (var at = first; at > stop; at += steps[i])
                {
                    picked.Add(at);
                }
                x = x.index_select(axis, tensor(picked.ToArray()));
            }
            else
            {
                throw c.Unsupported("a step of 0");
            }
        }
        return x;

        static long Within(long index, long size) => index < 0 ? index + size : Math.Min(index, size);
    }

    /// <summary>data taken along <c>axis</c> at the indices (negative ones count from the end), shaped data[:axis] + indices + data[axis+1:].</summary>
    private static Tensor Gather(NodeCall c)
    {
        var (data, indices) = (c.In(0), c.In(1));
        var axis = NodeCall.Axis(c.Int("axis", 0), data.dim());
        var flat = indices.flatten();
        flat = where(flat < 0, flat + data.shape[axis], flat);
        var shape = data.shape.Take((int)axis).Concat(indices.shape).Concat(data.shape.Skip((int)axis + 1)).ToArray();
        return data.index_select(axis, flat).reshape(shape);
    }

    private static Tensor Pad(NodeCall c)
    {
        var x = c.In(0);
        var pads = c.IntsFrom(1, "pads") ?? throw c.Unsupported("Pad without pads");
        var value = c.Optional(2) is { } v ? v.to(ScalarType.Float64).item<double>() : c.Float("value", 0);
        var axes = c.Optional(3) is { } a ? TorchTensors.Longs(a).Select(axis => NodeCall.Axis(axis, x.dim())).ToArray()
            : Enumerable.Range(0, (int)x.dim()).Select(axis => (long)axis).ToArray();
        var mode = c.Text("mode", "constant") switch
        {
            "constant" => PaddingModes.Constant,
            "reflect" => PaddingModes.Reflect,
            "edge" => PaddingModes.Replicate,
            var other => throw c.Unsupported($"mode=\"{other}\""),
        };
        // torch lists the last dimension first; dimensions ONNX does not pad get zeros.
        var before = new long[x.dim()];
        var after = new long[x.dim()];
        for (var i = 0; i < axes.Length; i++)
        {
            (before[axes[i]], after[axes[i]]) = (pads[i], pads[axes.Length + i]);
        }
        var last = (int)x.dim() - 1;
        var padded = Enumerable.Range(0, (int)x.dim()).FirstOrDefault(d => before[d] != 0 || after[d] != 0, last);
        var torchPads = Enumerable.Range(padded, last - padded + 1).Reverse().SelectMany(d => new[] { before[d], after[d] }).ToArray();
        if (mode != PaddingModes.Constant && torchPads.Length > 2 * Math.Max(1, (int)x.dim() - 2))
        {
            throw c.Unsupported($"mode=\"{c.Text("mode", "")}\" on the batch or channel axis");
        }
        return F.pad(x, torchPads, mode, value);
    }

    /// <summary>The shape, or the part of it between the opset-15 attributes start and end.</summary>
    private static Tensor Shape(NodeCall c)
    {
        var shape = c.In(0).shape;
        var start = Math.Clamp(NodeCall.Axis(c.Int("start", 0), shape.Length), 0, shape.Length);
        var end = Math.Clamp(NodeCall.Axis(c.Int("end", shape.Length), shape.Length), start, shape.Length);
        return tensor(shape[(int)start..(int)end]);
    }

    private static Tensor ConstantOfShape(NodeCall c)
    {
        var shape = TorchTensors.Longs(c.In(0));
        return NodeAttributes.Find(c.Node, "value")?.T is { } value
            ? TorchTensors.FromProto(value, c.Node.Name).reshape([]).expand(shape).clone()
            : zeros(shape);
    }

    private static Tensor Range(NodeCall c)
    {
        var (start, limit, delta) = (c.In(0), c.In(1), c.In(2));
        return start.dtype == ScalarType.Int64
            ? arange(start.item<long>(), limit.item<long>(), delta.item<long>(), ScalarType.Int64)
            : arange(start.item<float>(), limit.item<float>(), delta.item<float>(), ScalarType.Float32);
    }

    private static Tensor Constant(NodeCall c)
    {
        var node = c.Node;
        if (NodeAttributes.Find(node, "value")?.T is { } value)
        {
            return TorchTensors.FromProto(value, node.Name);
        }
        if (NodeAttributes.Find(node, "value_float") is { } f)
        {
            return tensor(f.F);
        }
        if (NodeAttributes.Find(node, "value_floats") is { } fs)
        {
            return tensor(fs.Floats.ToArray());
        }
        if (NodeAttributes.Find(node, "value_int") is { } i)
        {
            return tensor(i.I);
        }
        return NodeAttributes.Find(node, "value_ints") is { } ints ? tensor(ints.Ints.ToArray())
            : throw c.Unsupported("a Constant without a numeric value");
    }
}
