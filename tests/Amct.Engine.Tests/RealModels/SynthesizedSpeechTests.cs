using System.Globalization;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.RealModels;

/// <summary>
/// The published audio models on real (synthesized) speech, <see cref="SynthesizedSpeech"/>: the quantized model's
/// decisions must be the float model's, on audio where the float model's decisions mean something.
/// </summary>
[TestClass]
public sealed class SynthesizedSpeechTests
{
    private const int VadChunk = 512;

    /// <summary>
    /// Silero VAD v4 quantized as a user would (the job, as the build and the CLI run it: 512-sample chunks of spoken
    /// sentences in room noise, sr from InputValues, state zero), then run as a stream with its state fed back on other
    /// speech: the float VAD must find the spoken frames (else the audio proves nothing), and the int8 VAD must make
    /// the same speech decisions (probability ≥ 0.5 per 32 ms chunk).
    /// </summary>
    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.RealModels)]
    public void Silero_vad_v4_int8_makes_the_float_models_speech_decisions_on_spoken_sentences()
    {
        using var temp = new TempFolder();
        var voices = Directory.CreateDirectory(Path.Combine(temp.Path, "voices")).FullName;
        var path = PublishedModelTests.RealModel("openwakeword/silero_vad.onnx");
        var calibration = SynthesizedSpeech.Generate(40, seed: 1, voices);
        var evaluation = SynthesizedSpeech.Generate(90, seed: 2, voices);
        var calibrationChunks = PublishedModelTests.Clips(calibration.Samples, VadChunk);
        var stateSteps = new Data.CountStateSteps();
        var result = QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = path,
            CalibrationData = PublishedModelTests.WriteNpy(temp, "vad-calib", calibrationChunks, VadChunk, 1, VadChunk),
            OutputDirectory = Path.Combine(temp.Path, "out"),
            InputValues = new Dictionary<string, double> { ["sr"] = SynthesizedSpeech.SampleRate },
            MeasureLatency = false,
        }, new CollectingLog(), stateSteps.In(QuantizationJob.Stages()));

        var reference = PublishedModelTests.RunVad(ModelLoader.Load(path), evaluation.Samples).Probabilities;
        var int8 = PublishedModelTests.RunVad(ModelLoader.Load(result.QuantizedModel), evaluation.Samples).Probabilities;
        var chunks = Enumerable.Range(0, reference.Length).ToList();
        var truth = chunks.Select(i => evaluation.Speech.Skip(i * VadChunk).Take(VadChunk).Count(s => s) > VadChunk / 2).ToList();
        double Accuracy(float[] p) => chunks.Count(i => p[i] >= 0.5 == truth[i]) / (double)chunks.Count;
        var agreement = chunks.Count(i => reference[i] >= 0.5 == int8[i] >= 0.5) / (double)chunks.Count;
        var meanDifference = chunks.Average(i => Math.Abs(reference[i] - int8[i]));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"silero_vad v4 on {chunks.Count} chunks of spoken sentences ({truth.Count(t => t)} spoken): decisions agree {agreement:P2}, " +
            $"accuracy vs the spoken frames float {Accuracy(reference):P1} int8 {Accuracy(int8):P1}, mean |p_float - p_int8| {meanDifference:0.000}, " +
            $"mean p on spoken/silent chunks float {chunks.Where(i => truth[i]).Average(i => reference[i]):0.000}/{chunks.Where(i => !truth[i]).Average(i => reference[i]):0.000} int8 {chunks.Where(i => truth[i]).Average(i => int8[i]):0.000}/{chunks.Where(i => !truth[i]).Average(i => int8[i]):0.000}, " +
            $"speech chunks float {reference.Count(p => p >= 0.5)} int8 {int8.Count(p => p >= 0.5)}; " +
            $"{result.Report.Model.InputBytes} -> {result.Report.Model.OutputBytes} bytes, {result.Report.Layers.Count} int8 layers; " +
            $"{stateSteps.Runs} float runs for the carried state over {calibrationChunks.Count} calibration chunks"));

        // Measured 83.7 % (its probability decays over a few chunks after a sentence ends); on SpeechLikeAudio the
        // float VAD is at chance (47 %), which is why this test exists.
        Assert.IsGreaterThanOrEqualTo(0.80, Accuracy(reference), "the float VAD finds the spoken frames of this audio (else it proves nothing)");
        // Measured 98.4 % and 0.018. Calibrated with zero state on every chunk (RecurrentState=zero), the speech logit's
        // range ended below zero and the int8 VAD never said more than p = 0.5: 0.282 apart, 0.48 on spoken chunks.
        Assert.IsGreaterThanOrEqualTo(0.97, agreement, "speech decisions of the int8 VAD vs the float VAD");
        Assert.IsLessThanOrEqualTo(0.04, meanDifference, "mean |p_float - p_int8|");
        Assert.IsGreaterThanOrEqualTo(Accuracy(reference) - 0.02, Accuracy(int8), "int8 accuracy vs the spoken frames");
        // Every pass over the data (calibration, DMQ, bias correction, the If branches, evaluation, layer errors) reads
        // the states the first one computed.
        Assert.AreEqual(calibrationChunks.Count, stateSteps.Runs, "float runs for the carried state: one per chunk of the one data set");
    }

    /// <summary>
    /// openWakeWord's chain (melspectrogram → embedding_model → hey_jarvis) on 2.56 s clips of room noise holding
    /// "Hey Jarvis" (positives) or another sentence (negatives) spoken by flite in each voice at three rates: the float
    /// chain must tell them apart (else the audio proves nothing), and the chain with the embedding and wake-word
    /// models quantized by the job (calibrated on the chain's own features of other spoken sentences) must make the
    /// same detections (best score over the clip ≥ 0.5).
    /// </summary>
    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.RealModels)]
    public void The_wake_word_chain_int8_detects_hey_jarvis_where_the_float_chain_does()
    {
        using var temp = new TempFolder();
        var voices = Directory.CreateDirectory(Path.Combine(temp.Path, "voices")).FullName;
        const int clip = 40960;
        var clips = new List<(float[] Audio, bool Positive)>();
        foreach (var voice in SynthesizedSpeech.Voices)
        {
            foreach (var stretch in new[] { 0.9, 1.0, 1.15 })
            {
                clips.Add((InNoise(SynthesizedSpeech.Speak("Hey Jarvis.", voice, stretch, voices), clip, seed: clips.Count), true));
                clips.Add((InNoise(SynthesizedSpeech.Speak("Play the next song.", voice, stretch, voices), clip, seed: clips.Count), false));
            }
        }
        var melPath = PublishedModelTests.RealModel("openwakeword/melspectrogram.onnx");
        var embeddingPath = PublishedModelTests.RealModel("openwakeword/embedding_model.onnx");
        var jarvisPath = PublishedModelTests.RealModel("openwakeword/hey_jarvis_v0.1.onnx");

        // Calibration: the chain's features of 40 s of other sentences (SynthesizedSpeech), in 1.28 s clips.
        var speech = PublishedModelTests.Clips(SynthesizedSpeech.Generate(40, seed: 5, voices).Samples, 20480);
        var windows = PublishedModelTests.MelWindows(melPath, speech, 20480);
        var embeddingInt8 = Quantize(embeddingPath, PublishedModelTests.WriteNpy(temp, "emb", windows, 76 * 32, 76, 32, 1));
        var sequences = PublishedModelTests.EmbeddingSequences(embeddingPath, windows);
        var jarvisInt8 = Quantize(jarvisPath, PublishedModelTests.WriteNpy(temp, "jarvis", sequences, 16 * 96, 16, 96));

        var floatScores = clips.Select(c => BestScore(c.Audio, melPath, embeddingPath, jarvisPath)).ToList();
        var int8Scores = clips.Select(c => BestScore(c.Audio, melPath, embeddingInt8, jarvisInt8)).ToList();
        var positives = Enumerable.Range(0, clips.Count).Where(i => clips[i].Positive).ToList();
        var negatives = Enumerable.Range(0, clips.Count).Where(i => !clips[i].Positive).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"hey_jarvis chain on {positives.Count} 'Hey Jarvis' and {negatives.Count} other clips: best scores float " +
            $"[{string.Join(" ", positives.Select(i => floatScores[i].ToString("0.00", CultureInfo.InvariantCulture)))}] / " +
            $"[{string.Join(" ", negatives.Select(i => floatScores[i].ToString("0.00", CultureInfo.InvariantCulture)))}], int8 " +
            $"[{string.Join(" ", positives.Select(i => int8Scores[i].ToString("0.00", CultureInfo.InvariantCulture)))}] / " +
            $"[{string.Join(" ", negatives.Select(i => int8Scores[i].ToString("0.00", CultureInfo.InvariantCulture)))}]"));

        // Measured: the float chain hears 5 of the 12 (the kal16 and awb voices, 0.92-1.00) and none of the others
        // (all 0.00); the int8 chain the same 5 (0.95-1.00), its scores within 0.17 of float's.
        Assert.IsGreaterThanOrEqualTo(4, positives.Count(i => floatScores[i] >= 0.5), "the float chain hears 'Hey Jarvis' (else the audio proves nothing)");
        Assert.AreEqual(0, negatives.Count(i => floatScores[i] >= 0.5), "the float chain ignores other sentences");
        Assert.AreEqual(0, clips.Count(c => floatScores[clips.IndexOf(c)] >= 0.5 != int8Scores[clips.IndexOf(c)] >= 0.5),
            "detections of the int8 chain vs the float chain");
        Assert.IsLessThanOrEqualTo(0.25, clips.Select((_, i) => Math.Abs(floatScores[i] - int8Scores[i])).Max(), "largest score difference");

        string Quantize(string model, string data) => QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = model,
            CalibrationData = data,
            OutputDirectory = Path.Combine(temp.Path, Path.GetFileNameWithoutExtension(model)),
            MeasureLatency = false,
        }, new CollectingLog()).QuantizedModel;
    }

    /// <summary>The utterance at 0.5 s into a clip of room noise.</summary>
    private static float[] InNoise(float[] utterance, int length, int seed)
    {
        var audio = SpeechLikeAudio.RoomNoise(length, 0.002, 0.006, new Random(seed));
        var peak = utterance.Max(Math.Abs);
        for (var i = 0; i < utterance.Length && 8000 + i < length; i++)
        {
            audio[8000 + i] += 0.3f * utterance[i] / peak;
        }
        return audio;
    }

    /// <summary>The wake-word score of every 16-embedding window of the clip, best one.</summary>
    private static float BestScore(float[] audio, string mel, string embedding, string jarvis)
    {
        var windows = PublishedModelTests.MelWindows(mel, [audio], audio.Length);
        var sequences = PublishedModelTests.EmbeddingSequences(embedding, windows);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(jarvis, SessionFactory.CreateOptions());
        return sequences.Max(sequence => TensorData.ToArray<float>(PublishedModelTests.Run(session,
            new Dictionary<string, TensorProto> { ["x.1"] = TensorData.FromArray<float>("x.1", [1, 16, 96], sequence) },
            [session.OutputMetadata.Keys.First()])[0])[0]);
    }
}
