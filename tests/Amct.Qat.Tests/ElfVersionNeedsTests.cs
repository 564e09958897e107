using System.Buffers.Binary;
using System.Text;
using Amct.Qat.Native;
using Amct.TestSupport;

namespace Amct.Qat.Tests;

[TestClass]
[TestCategory(TestCategories.OptIn)]
[TestCategory(TestCategories.Qat)]
public sealed class ElfVersionNeedsTests
{
    [TestMethod]
    public void Reads_every_requirement_of_a_built_library()
    {
        var needs = ElfVersionNeeds.Read(MinimalLibrary());

        Assert.HasCount(2, needs);
        Assert.AreEqual(new VersionNeed("libstdc++.so.6", "GLIBCXX_3.4.32", 0, needs[0].FlagsOffset), needs[0]);
        Assert.AreEqual("GLIBCXX_3.4", needs[1].Version);
        Assert.IsFalse(needs[0].IsWeak);
    }

    [TestMethod]
    public void Marking_weak_changes_that_requirements_flags_only_and_only_once()
    {
        var original = MinimalLibrary();
        var patched = (byte[])original.Clone();

        Assert.AreEqual(1, ElfVersionNeeds.MarkWeak(patched, "GLIBCXX_3.4.32"));
        Assert.AreEqual(0, ElfVersionNeeds.MarkWeak(patched, "GLIBCXX_3.4.32"), "already weak");

        var needs = ElfVersionNeeds.Read(patched);
        Assert.IsTrue(needs[0].IsWeak);
        Assert.IsFalse(needs[1].IsWeak);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        CollectionAssert.AreEqual(new[] { (int)needs[0].FlagsOffset }, changed);
    }

    [TestMethod]
    public void A_damaged_or_foreign_file_is_refused()
    {
        var library = MinimalLibrary();
        Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.Read(library.AsSpan(0, library.Length - 100)));
        Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.Read(Encoding.ASCII.GetBytes("MZ not an ELF file at all, padded to be long enough to hold a header")));
    }

    [TestMethod]
    public void TorchSharps_library_asks_for_GCC_13_and_the_cached_copy_has_it_weak()
    {
        using var temp = new TempFolder();
        Environment.SetEnvironmentVariable("AMCT_QAT_CACHE", temp.Path);
        try
        {
            var original = LibTorchFiles.Locate().TorchSharpLibrary;
            var before = ElfVersionNeeds.Read(File.ReadAllBytes(original)).Single(n => n.Version == TorchRuntime.Gcc13Version);
            Assert.IsFalse(before.IsWeak, "the package's library asks for GCC 13's libstdc++ (else this patch is obsolete)");

            var copy = TorchRuntime.PatchedCopy(original);

            StringAssert.StartsWith(copy, temp.Path);
            var after = File.ReadAllBytes(copy);
            Assert.IsTrue(ElfVersionNeeds.Read(after).Single(n => n.Version == TorchRuntime.Gcc13Version).IsWeak);
            var source = File.ReadAllBytes(original);
            Assert.AreEqual(1, Enumerable.Range(0, source.Length).Count(i => source[i] != after[i]), "one byte of the flags changes");
            Assert.AreEqual(copy, TorchRuntime.PatchedCopy(original), "the cached copy is reused");
        }
        finally
        {
            Environment.SetEnvironmentVariable("AMCT_QAT_CACHE", null);
        }
    }

    /// <summary>
    /// The smallest ELF64 file with a version-needs section: header, string table, one Verneed entry for libstdc++
    /// with two Vernaux entries, and the three section headers (null, .dynstr, .gnu.version_r).
    /// </summary>
    private static byte[] MinimalLibrary()
    {
        var strings = Encoding.ASCII.GetBytes("\0libstdc++.so.6\0GLIBCXX_3.4.32\0GLIBCXX_3.4\0");
        const int stringsAt = 64;
        var needsAt = stringsAt + strings.Length;
        var sectionsAt = needsAt + 48;
        var elf = new byte[sectionsAt + (3 * 64)];
        "\u007fELF"u8.CopyTo(elf);
        elf[4] = 2; // 64-bit
        elf[5] = 1; // little-endian
        elf[6] = 1;
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(0x28), (ulong)sectionsAt);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3a), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3c), 3);
        strings.CopyTo(elf, stringsAt);
        // Verneed: version 1, 2 entries, file "libstdc++.so.6" (offset 1), entries 16 bytes on, no next.
        Write16(elf, needsAt, 1, 2);
        Write32(elf, needsAt + 4, 1, 16, 0);
        // Vernaux: hash, flags 0, other 2, name, next (16, then 0).
        Write32(elf, needsAt + 16, 0x8b8a3b2);
        Write16(elf, needsAt + 20, 0, 2);
        Write32(elf, needsAt + 24, 16, 16);
        Write32(elf, needsAt + 32, 0x8922974);
        Write16(elf, needsAt + 36, 0, 3);
        Write32(elf, needsAt + 40, 31, 0);
        // Section 1: .dynstr (SHT_STRTAB); section 2: .gnu.version_r, linked to 1, one Verneed entry.
        Section(elf, sectionsAt + 64, type: 3, offset: stringsAt, size: strings.Length, link: 0, info: 0);
        Section(elf, sectionsAt + 128, type: 0x6ffffffe, offset: needsAt, size: 48, link: 1, info: 1);
        return elf;
    }

    private static void Section(byte[] elf, int at, uint type, int offset, int size, uint link, uint info)
    {
        Write32(elf, at + 4, type);
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(at + 24), (ulong)offset);
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(at + 32), (ulong)size);
        Write32(elf, at + 40, link, info);
    }

    private static void Write16(byte[] elf, int at, params ushort[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(at + (2 * i)), values[i]);
        }
    }

    private static void Write32(byte[] elf, int at, params uint[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(elf.AsSpan(at + (4 * i)), values[i]);
        }
    }
}
