using System.Buffers.Binary;
using System.Text;

namespace Amct.Qat.Native;

/// <summary>One symbol version a shared library asks of another (an ELF Vernaux entry), and where its flags are.</summary>
/// <param name="File">The library the version is asked of, e.g. libstdc++.so.6.</param>
/// <param name="Version">The version name, e.g. GLIBCXX_3.4.32.</param>
/// <param name="Flags">vna_flags; <see cref="ElfVersionNeeds.WeakFlag"/> set means a missing version is not fatal.</param>
/// <param name="FlagsOffset">The file offset of the two-byte vna_flags field.</param>
internal sealed record VersionNeed(string File, string Version, ushort Flags, long FlagsOffset)
{
    public bool IsWeak => (Flags & ElfVersionNeeds.WeakFlag) != 0;
}

/// <summary>
/// Reads and edits the version requirements (section type SHT_GNU_verneed, ".gnu.version_r") of a 64-bit
/// little-endian ELF shared library. The dynamic loader refuses a library one of whose required versions its
/// dependency lacks, unless the requirement carries VER_FLG_WEAK; then it loads it and only symbols bound to that
/// version are missing. TorchSharp's Linux library is built with GCC 13 and so asks libstdc++ for GLIBCXX_3.4.32,
/// which only std::ios_base_library_init() carries and nothing calls at run time; marking that one requirement weak
/// lets the library load on systems with GCC 12's libstdc++ (Debian 12, Ubuntu 22.04, RHEL 9).
/// </summary>
internal static class ElfVersionNeeds
{
    /// <summary>VER_FLG_WEAK: a requirement the loader may leave unmet.</summary>
    public const ushort WeakFlag = 0x2;

    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const int SectionHeaderSize = 64;

    /// <summary>Every version requirement of the library, in file order.</summary>
    /// <exception cref="InvalidDataException">Not a 64-bit little-endian ELF file, or its version section is damaged.</exception>
    public static IReadOnlyList<VersionNeed> Read(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            throw new InvalidDataException("not an ELF file");
        }
        if (elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("not a 64-bit little-endian ELF file");
        }
        var sectionTable = checked((int)U64(elf, 0x28));
        var sectionCount = U16(elf, 0x3c);
        var needs = new List<VersionNeed>();
        for (var i = 0; i < sectionCount; i++)
        {
            var header = Slice(elf, sectionTable + (i * SectionHeaderSize), SectionHeaderSize);
            if (U32(header, 4) != ShtGnuVerneed)
            {
                continue;
            }
            var offset = checked((int)U64(header, 24));
            var entries = U32(header, 44); // sh_info: the number of Verneed entries
            var strings = Slice(elf, sectionTable + (checked((int)U32(header, 40)) * SectionHeaderSize), SectionHeaderSize);
            var stringTable = checked((int)U64(strings, 24));
            ReadEntries(elf, offset, entries, stringTable, needs);
        }
        return needs;
    }

    /// <summary>
    /// Marks the requirements of <paramref name="version"/> weak in place; returns how many were changed (0 when they
    /// already were weak or the library does not ask for the version).
    /// </summary>
    public static int MarkWeak(Span<byte> elf, string version)
    {
        var changed = 0;
        foreach (var need in Read(elf))
        {
            if (need.Version == version && !need.IsWeak)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(elf.Slice(checked((int)need.FlagsOffset), 2), (ushort)(need.Flags | WeakFlag));
                changed++;
            }
        }
        return changed;
    }

    private static void ReadEntries(ReadOnlySpan<byte> elf, int offset, uint entries, int stringTable, List<VersionNeed> needs)
    {
        var entry = offset;
        for (var n = 0; n < entries; n++)
        {
            var verneed = Slice(elf, entry, 16);
            var count = U16(verneed, 2);
            var file = CString(elf, stringTable + checked((int)U32(verneed, 4)));
            var aux = entry + checked((int)U32(verneed, 8));
            for (var a = 0; a < count; a++)
            {
                var vernaux = Slice(elf, aux, 16);
                needs.Add(new VersionNeed(file, CString(elf, stringTable + checked((int)U32(vernaux, 8))), U16(vernaux, 4), aux + 4));
                aux += checked((int)U32(vernaux, 12));
            }
            var next = U32(verneed, 12);
            if (next == 0)
            {
                break;
            }
            entry += checked((int)next);
        }
    }

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> elf, int offset, int length) =>
        offset >= 0 && length >= 0 && offset <= elf.Length - length
            ? elf.Slice(offset, length)
            : throw new InvalidDataException($"ELF structure at offset {offset} runs past the end of the file");

    private static string CString(ReadOnlySpan<byte> elf, int offset)
    {
        var rest = Slice(elf, offset, elf.Length - offset);
        var end = rest.IndexOf((byte)0);
        return end < 0 ? throw new InvalidDataException("unterminated ELF string") : Encoding.ASCII.GetString(rest[..end]);
    }

    private static ushort U16(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt16LittleEndian(s[at..]);
    private static uint U32(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);
    private static ulong U64(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt64LittleEndian(s[at..]);
}
