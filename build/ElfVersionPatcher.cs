// Makes TorchSharp's native bridge load on hosts whose libstdc++ is older than the one it was
// linked against (Debian 12, Ubuntu 22.04: GCC 12's libstdc++ stops at GLIBCXX_3.4.30).
//
// libLibTorchSharp.so asks for GLIBCXX_3.4.32 only because GCC 13 emits a bare reference to
// std::ios_base_library_init() from <iostream>; no relocation uses it, so the loader never binds
// the symbol and only the version check fails. Marking that version requirement weak
// (VER_FLG_WEAK in its Vernaux entry) turns the hard failure into nothing. The patch is applied
// only when the host's libstdc++ lacks the version, and applying it twice changes nothing.
//
// RoslynCodeTaskFactory compiles against netstandard2.0, hence the plain APIs below.
// This file is compiled twice: as an inline MSBuild task (build/MLNetExtensions.Native.targets)
// and, with ELF_PATCHER_WITHOUT_MSBUILD defined, into the test project.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
#if !ELF_PATCHER_WITHOUT_MSBUILD
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
#endif

namespace MLNetExtensions.Build
{
    /// <summary>What <see cref="ElfVersionPatcher.WeakenVersionRequirement"/> found in a file.</summary>
    public enum ElfPatchResult
    {
        /// <summary>The requirement was strong and is now weak.</summary>
        Patched,
        /// <summary>The requirement was already weak: nothing was written.</summary>
        AlreadyWeak,
        /// <summary>The file does not require that version.</summary>
        NotRequired,
    }

    /// <summary>Reads and edits the GNU version-requirement section of 64-bit little-endian ELF files.</summary>
    public static class ElfVersionPatcher
    {
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlagWeak = 0x2;

        /// <summary>Marks the requirement on <paramref name="version"/> (e.g. GLIBCXX_3.4.32) weak, in place.</summary>
        /// <exception cref="InvalidDataException">The file is not a 64-bit little-endian ELF file or its tables are malformed.</exception>
        public static ElfPatchResult WeakenVersionRequirement(string path, string version)
        {
            byte[] image = File.ReadAllBytes(path);
            var entries = FindVersionRequirements(image, path);
            if (!entries.TryGetValue(version, out var flagOffsets))
            {
                return ElfPatchResult.NotRequired;
            }

            bool changed = false;
            foreach (long offset in flagOffsets)
            {
                ushort flags = BitConverter.ToUInt16(image, (int)offset);
                if ((flags & VerFlagWeak) == 0)
                {
                    BitConverter.GetBytes((ushort)(flags | VerFlagWeak)).CopyTo(image, offset);
                    changed = true;
                }
            }

            if (!changed)
            {
                return ElfPatchResult.AlreadyWeak;
            }

            // Write beside the file, then swap, so an interrupted build never leaves half a library.
            string temporary = path + ".patching";
            File.WriteAllBytes(temporary, image);
            File.Replace(temporary, path, destinationBackupFileName: null);
            return ElfPatchResult.Patched;
        }

        /// <summary>Whether the requirement on <paramref name="version"/> is present and strong (would fail to load where the version is missing).</summary>
        public static bool HasStrongRequirement(string path, string version)
        {
            byte[] image = File.ReadAllBytes(path);
            var entries = FindVersionRequirements(image, path);
            if (!entries.TryGetValue(version, out var flagOffsets))
            {
                return false;
            }

            foreach (long offset in flagOffsets)
            {
                if ((BitConverter.ToUInt16(image, (int)offset) & VerFlagWeak) == 0)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Whether the host's libstdc++ defines <paramref name="version"/>; true when not on Linux or no libstdc++ is found (nothing to fix then).</summary>
        public static bool HostLibStdCxxDefines(string version)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                return true;
            }

            string? library = FindHostLibStdCxx();
            if (library is null)
            {
                return true;
            }

            return ContainsNullTerminated(File.ReadAllBytes(library), version);
        }

        /// <summary>The path of the host's libstdc++.so.6, or null when none of the usual places has it.</summary>
        public static string? FindHostLibStdCxx()
        {
            string[] directories =
            {
                "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                "/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib",
            };
            foreach (string directory in directories)
            {
                string candidate = Path.Combine(directory, "libstdc++.so.6");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            return null;
        }

        private static bool ContainsNullTerminated(byte[] haystack, string text)
        {
            byte[] needle = Encoding.ASCII.GetBytes(text + "\0");
            for (int i = 0; i <= haystack.Length - needle.Length; i++)
            {
                if (haystack[i] != needle[0])
                {
                    continue;
                }

                // Must start a string too: preceded by a terminator.
                if (i > 0 && haystack[i - 1] != 0)
                {
                    continue;
                }

                int matched = 0;
                while (matched < needle.Length && haystack[i + matched] == needle[matched])
                {
                    matched++;
                }

                if (matched == needle.Length)
                {
                    return true;
                }
            }

            return false;
        }

        // Version name -> file offsets of the vna_flags fields that require it.
        private static Dictionary<string, List<long>> FindVersionRequirements(byte[] image, string path)
        {
            if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
            {
                throw new InvalidDataException($"'{path}' is not an ELF file.");
            }

            if (image[4] != 2 || image[5] != 1)
            {
                throw new InvalidDataException($"'{path}' is not a 64-bit little-endian ELF file.");
            }

            long sectionTable = ReadInt64(image, 0x28, path);
            int sectionSize = ReadUInt16(image, 0x3A, path);
            int sectionCount = ReadUInt16(image, 0x3C, path);
            var result = new Dictionary<string, List<long>>(StringComparer.Ordinal);

            for (int s = 0; s < sectionCount; s++)
            {
                long header = sectionTable + ((long)s * sectionSize);
                if (ReadUInt32(image, header + 4, path) != ShtGnuVerneed)
                {
                    continue;
                }

                long offset = ReadInt64(image, header + 0x18, path);
                uint stringSection = ReadUInt32(image, header + 0x28, path);
                uint needCount = ReadUInt32(image, header + 0x2C, path);
                long stringTable = ReadInt64(image, sectionTable + ((long)stringSection * sectionSize) + 0x18, path);

                long need = offset;
                for (uint n = 0; n < needCount; n++)
                {
                    int auxCount = ReadUInt16(image, need + 2, path);
                    long aux = need + ReadUInt32(image, need + 8, path);
                    for (int a = 0; a < auxCount; a++)
                    {
                        string name = ReadString(image, stringTable + ReadUInt32(image, aux + 8, path), path);
                        if (!result.TryGetValue(name, out var offsets))
                        {
                            offsets = new List<long>();
                            result[name] = offsets;
                        }

                        offsets.Add(aux + 4);
                        uint nextAux = ReadUInt32(image, aux + 12, path);
                        if (nextAux == 0)
                        {
                            break;
                        }

                        aux += nextAux;
                    }

                    uint nextNeed = ReadUInt32(image, need + 12, path);
                    if (nextNeed == 0)
                    {
                        break;
                    }

                    need += nextNeed;
                }
            }

            return result;
        }

        private static void Check(byte[] image, long offset, int length, string path)
        {
            if (offset < 0 || offset + length > image.Length)
            {
                throw new InvalidDataException($"'{path}' is truncated or malformed: offset {offset} lies outside the file.");
            }
        }

        private static ushort ReadUInt16(byte[] image, long offset, string path)
        {
            Check(image, offset, 2, path);
            return BitConverter.ToUInt16(image, (int)offset);
        }

        private static uint ReadUInt32(byte[] image, long offset, string path)
        {
            Check(image, offset, 4, path);
            return BitConverter.ToUInt32(image, (int)offset);
        }

        private static long ReadInt64(byte[] image, long offset, string path)
        {
            Check(image, offset, 8, path);
            return BitConverter.ToInt64(image, (int)offset);
        }

        private static string ReadString(byte[] image, long offset, string path)
        {
            Check(image, offset, 1, path);
            long end = offset;
            while (end < image.Length && image[end] != 0)
            {
                end++;
            }

            return Encoding.ASCII.GetString(image, (int)offset, (int)(end - offset));
        }
    }

#if !ELF_PATCHER_WITHOUT_MSBUILD
    /// <summary>MSBuild task: weakens a version requirement in the given native libraries when the host lacks that version.</summary>
    public sealed class WeakenMissingElfVersionRequirement : Task
    {
        /// <summary>The native libraries to patch in place.</summary>
        [Required]
        public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>The version requirement to weaken, e.g. GLIBCXX_3.4.32.</summary>
        [Required]
        public string Version { get; set; } = string.Empty;

        /// <inheritdoc />
        public override bool Execute()
        {
            if (Files.Length == 0 || ElfVersionPatcher.HostLibStdCxxDefines(Version))
            {
                return true;
            }

            foreach (ITaskItem file in Files)
            {
                string path = file.GetMetadata("FullPath");
                try
                {
                    ElfPatchResult result = ElfVersionPatcher.WeakenVersionRequirement(path, Version);
                    if (result == ElfPatchResult.Patched)
                    {
                        Log.LogMessage(MessageImportance.Normal, $"Marked the {Version} requirement of {path} weak: this host's libstdc++ lacks it.");
                    }
                }
                catch (Exception exception) when (exception is IOException || exception is InvalidDataException || exception is UnauthorizedAccessException)
                {
                    Log.LogError($"Could not patch {path} for {Version}: {exception.Message}");
                }
            }

            return !Log.HasLoggedErrors;
        }
    }
#endif
}
