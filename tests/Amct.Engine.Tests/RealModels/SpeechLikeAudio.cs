namespace Amct.Engine.Tests.RealModels;

/// <summary>
/// Speech-like 16 kHz audio made in code, for calibrating and checking the audio models: background noise with
/// voiced segments (a harmonic series on a gliding pitch of 90–240 Hz with jitter, shaped by three formant peaks and
/// a syllable-rate envelope), as a microphone picks up someone talking in a quiet room. Same seed, same samples.
/// </summary>
internal sealed class SpeechLikeAudio
{
    public const int SampleRate = 16000;

    private SpeechLikeAudio(float[] samples, bool[] speech)
    {
        Samples = samples;
        Speech = speech;
    }

    public float[] Samples { get; }

    /// <summary>Per sample: whether it lies in a voiced segment.</summary>
    public bool[] Speech { get; }

    public static SpeechLikeAudio Generate(double seconds, int seed)
    {
        var random = new Random(seed);
        var count = (int)(seconds * SampleRate);
        var samples = RoomNoise(count, 0.004, 0.01, random);
        var speech = new bool[count];
        // Alternate pauses (0.4–1.2 s) and utterances (0.6–1.8 s).
        var position = (int)(SampleRate * (0.3 + random.NextDouble() * 0.5));
        while (position < count)
        {
            var length = (int)(SampleRate * (0.6 + random.NextDouble() * 1.2));
            AddUtterance(samples, speech, position, Math.Min(length, count - position), random);
            position += length + (int)(SampleRate * (0.4 + random.NextDouble() * 0.8));
        }
        return new SpeechLikeAudio(samples, speech);
    }

    private static void AddUtterance(float[] samples, bool[] speech, int start, int length, Random random)
    {
        var loudness = 0.08 + random.NextDouble() * 0.2;
        var pitchStart = 90 + random.NextDouble() * 120;
        var pitchEnd = pitchStart * (0.75 + random.NextDouble() * 0.5);
        var syllableRate = 3 + random.NextDouble() * 3;
        // Formants of a vowel, moved a little per utterance.
        double[] formants = [500 + random.NextDouble() * 300, 1200 + random.NextDouble() * 900, 2400 + random.NextDouble() * 600];
        double phase = 0;
        for (var i = 0; i < length; i++)
        {
            var t = i / (double)SampleRate;
            var progress = i / (double)length;
            var pitch = (pitchStart + (pitchEnd - pitchStart) * progress) * (1 + 0.01 * Gaussian(random));
            phase += 2 * Math.PI * pitch / SampleRate;
            double value = 0;
            for (var harmonic = 1; harmonic * pitch < 4000; harmonic++)
            {
                var frequency = harmonic * pitch;
                var gain = formants.Sum(f => Math.Exp(-Math.Pow((frequency - f) / 150, 2))) + 0.05;
                value += gain / harmonic * Math.Sin(harmonic * phase);
            }
            var envelope = Math.Pow(Math.Sin(Math.PI * progress), 0.3) * (0.55 + 0.45 * Math.Sin(2 * Math.PI * syllableRate * t));
            samples[start + i] += (float)(loudness * envelope * value * 0.4);
            speech[start + i] = true;
        }
    }

    /// <summary>
    /// Room noise: white noise through a one-pole low-pass, at a level drawn between the two bounds.
    /// </summary>
    internal static float[] RoomNoise(int count, double lowestLevel, double highestLevel, Random random)
    {
        var samples = new float[count];
        var noiseLevel = lowestLevel + random.NextDouble() * (highestLevel - lowestLevel);
        double lowPassed = 0;
        for (var i = 0; i < count; i++)
        {
            lowPassed = 0.7 * lowPassed + 0.3 * Gaussian(random);
            samples[i] = (float)(noiseLevel * lowPassed * 2);
        }
        return samples;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
