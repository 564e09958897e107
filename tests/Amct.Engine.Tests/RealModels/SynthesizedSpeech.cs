using System.Diagnostics;
using System.Globalization;

namespace Amct.Engine.Tests.RealModels;

/// <summary>
/// Real speech for the audio models, made on the test machine by a text-to-speech program: Debian's <c>flite</c>
/// (CMU Flite, installed by .ci/run) speaks fixed English sentences in four 16 kHz voices, at varied rates and pitches,
/// and the utterances are laid into a stream of room noise with pauses between them, as a microphone picks up people
/// talking. Unlike <see cref="SpeechLikeAudio"/> (harmonics under formant peaks), this is speech a VAD is trained to
/// find. Which sample is speech comes from the utterance's own loudness: from its first to its last 20 ms frame above 2 %
/// of its peak. Same seed, same samples (flite's output is deterministic).
/// </summary>
internal sealed class SynthesizedSpeech
{
    public const int SampleRate = 16000;
    private const int Frame = SampleRate / 50;

    // Sentences written for these tests: commands and small talk of the kind a voice interface hears.
    private static readonly string[] Sentences =
    [
        "Turn on the kitchen lights, please.",
        "What is the weather going to be like tomorrow morning?",
        "Set a timer for twelve minutes.",
        "I think we should leave before the traffic gets bad.",
        "Could you read me the last message again?",
        "The meeting moved to half past three on Thursday.",
        "Play something quiet while I finish this report.",
        "No, not that one, the blue folder on the left.",
        "How many kilometres is it to the next station?",
        "Remind me to call my sister when I get home.",
        "Seven, eight, nine, ten, eleven, twelve.",
        "That sounds good to me, let us do it.",
    ];

    internal static readonly string[] Voices = ["slt", "kal16", "awb", "rms"];

    private SynthesizedSpeech(float[] samples, bool[] speech)
    {
        Samples = samples;
        Speech = speech;
    }

    public float[] Samples { get; }

    /// <summary>Per sample: whether it lies in a spoken part of an utterance.</summary>
    public bool[] Speech { get; }

    /// <summary>
    /// About <paramref name="seconds"/> of noise with utterances: each a sentence in a voice, rate and pitch chosen by
    /// the seed, at a loudness of −26 to −10 dBFS peak, after a pause of 0.3–1.5 s.
    /// </summary>
    public static SynthesizedSpeech Generate(double seconds, int seed, string workFolder)
    {
        var random = new Random(seed);
        var count = (int)(seconds * SampleRate);
        var samples = SpeechLikeAudio.RoomNoise(count, 0.002, 0.006, random);
        var speech = new bool[count];
        var position = (int)(SampleRate * (0.3 + random.NextDouble() * 1.2));
        while (position < count)
        {
            var sentence = Sentences[random.Next(Sentences.Length)];
            var voice = Voices[random.Next(Voices.Length)];
            var stretch = 0.85 + random.NextDouble() * 0.4;
            var utterance = Speak(sentence, voice, stretch, workFolder);
            var peak = utterance.Max(Math.Abs);
            var gain = Math.Pow(10, (-26 + random.NextDouble() * 16) / 20) / Math.Max(peak, 1e-6f);
            var length = Math.Min(utterance.Length, count - position);
            var (first, last) = LoudSpan(utterance, 0.02f * peak);
            for (var i = 0; i < length; i++)
            {
                samples[position + i] += (float)(gain * utterance[i]);
                speech[position + i] = i >= first && i < last;
            }
            position += utterance.Length + (int)(SampleRate * (0.3 + random.NextDouble() * 1.2));
        }
        return new SynthesizedSpeech(samples, speech);
    }

    /// <summary>
    /// From the first to the end of the last 20 ms frame holding a sample above <paramref name="threshold"/>: the spoken
    /// part of an utterance, the short pauses between its words included (a VAD marks a sentence as one segment), and
    /// the silence flite puts at both ends left out.
    /// </summary>
    private static (int First, int Last) LoudSpan(float[] utterance, float threshold)
    {
        var loud = Enumerable.Range(0, (utterance.Length + Frame - 1) / Frame)
            .Where(f => utterance.Skip(f * Frame).Take(Frame).Any(v => Math.Abs(v) > threshold)).ToList();
        return loud.Count == 0 ? (0, 0) : (loud[0] * Frame, Math.Min(utterance.Length, (loud[^1] + 1) * Frame));
    }

    /// <summary>The sentence spoken by flite in the voice, cached in the folder; samples in [-1, 1].</summary>
    internal static float[] Speak(string sentence, string voice, double stretch, string workFolder)
    {
        var stretchText = stretch.ToString("0.00", CultureInfo.InvariantCulture);
        var path = Path.Combine(workFolder, $"{voice}-{stretchText}-{new string(sentence.Where(char.IsLetterOrDigit).ToArray())}.wav");
        if (!File.Exists(path))
        {
            var start = new ProcessStartInfo("flite")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var argument in new[] { "-voice", voice, "--setf", $"duration_stretch={stretchText}", "-t", sentence, "-o", path })
            {
                start.ArgumentList.Add(argument);
            }
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new AssertFailedException(
                    "flite (CMU Flite text-to-speech) is needed to make the test speech: apt-get install flite (.ci/run installs it). " + e.Message);
            }
            using (process)
            {
                process.WaitForExit();
                Assert.AreEqual(0, process.ExitCode, $"flite failed for voice {voice}: {process.StandardError.ReadToEnd()}");
            }
        }
        return ReadPcm16Wave(path);
    }

    /// <summary>Mono 16-bit PCM samples of a RIFF/WAVE file at 16 kHz, as flite writes it.</summary>
    private static float[] ReadPcm16Wave(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        Assert.AreEqual("RIFF", new string(reader.ReadChars(4)), path);
        reader.ReadInt32();
        Assert.AreEqual("WAVE", new string(reader.ReadChars(4)), path);
        while (true)
        {
            var id = new string(reader.ReadChars(4));
            var size = reader.ReadInt32();
            if (id == "fmt ")
            {
                var format = reader.ReadInt16();
                var channels = reader.ReadInt16();
                var rate = reader.ReadInt32();
                reader.ReadBytes(6);
                var bits = reader.ReadInt16();
                reader.ReadBytes(size - 16);
                Assert.IsTrue(format == 1 && channels == 1 && rate == SampleRate && bits == 16,
                    $"{path}: expected mono 16-bit PCM at {SampleRate} Hz, got format {format}, {channels} channels, {rate} Hz, {bits} bits");
            }
            else if (id == "data")
            {
                var bytes = reader.ReadBytes(size);
                var samples = new float[bytes.Length / 2];
                for (var i = 0; i < samples.Length; i++)
                {
                    samples[i] = BitConverter.ToInt16(bytes, 2 * i) / 32768f;
                }
                return samples;
            }
            else
            {
                reader.ReadBytes(size);
            }
        }
    }
}
