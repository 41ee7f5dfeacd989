using System.Text;

namespace CameraHub.Cluster.Ownership;

/// <summary>A node that may own cameras: its name, advertised URL and rendezvous weight.</summary>
public sealed record OwnerCandidate(string Name, string? PublicUrl, double Weight);

/// <summary>
/// Weighted rendezvous (highest-random-weight) hashing: a camera belongs to the candidate with the highest
/// <c>-weight / ln(u)</c>, u a stable hash of (node, camera) in (0, 1). Every node computes the same answer from the
/// same member list, and a member leaving or joining moves only the cameras it loses or wins (about 1/N of them).
/// <see cref="Assign"/> adds bounded loads, so a known set of cameras spreads within one of even (by weight).
/// </summary>
public static class Rendezvous
{
    /// <summary>
    /// Assigns every camera of <paramref name="cameras"/>: in a fixed pseudo-random order of the cameras, each goes to
    /// the highest-scoring member that still has room (its weight's share of the cameras, rounded up). With room to
    /// spare everyone gets its first choice (pure rendezvous); the cap only moves the overflow of an unlucky member.
    /// </summary>
    public static Dictionary<string, string> Assign(IEnumerable<string> cameras, IReadOnlyList<OwnerCandidate> candidates)
    {
        var members = candidates.Where(c => c.Weight > 0).ToList();
        var ordered = cameras.Distinct(StringComparer.Ordinal).OrderBy(c => Hash(string.Empty, c)).ThenBy(c => c, StringComparer.Ordinal).ToList();
        var assignment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (members.Count == 0)
        {
            return assignment;
        }

        var total = members.Sum(m => m.Weight);
        var room = members.ToDictionary(m => m.Name, m => (int)Math.Ceiling(ordered.Count * m.Weight / total - 1e-9), StringComparer.Ordinal);
        foreach (var camera in ordered)
        {
            var ranked = members.OrderByDescending(m => Score(m.Name, camera, m.Weight)).ThenBy(m => m.Name, StringComparer.Ordinal);
            var chosen = ranked.FirstOrDefault(m => room[m.Name] > 0) ?? ranked.First();
            room[chosen.Name]--;
            assignment[camera] = chosen.Name;
        }

        return assignment;
    }

    /// <summary>The owner of <paramref name="cameraId"/> among <paramref name="candidates"/>, or null when there is none.</summary>
    public static OwnerCandidate? Pick(string cameraId, IReadOnlyList<OwnerCandidate> candidates)
    {
        OwnerCandidate? best = null;
        var bestScore = double.NegativeInfinity;
        foreach (var candidate in candidates)
        {
            if (candidate.Weight <= 0)
            {
                continue;
            }

            var score = Score(candidate.Name, cameraId, candidate.Weight);
            // Ties (practically never) go to the smaller name, so every node agrees.
            if (score > bestScore || (score == bestScore && best is not null && string.CompareOrdinal(candidate.Name, best.Name) < 0))
            {
                best = candidate;
                bestScore = score;
            }
        }

        return best;
    }

    /// <summary>The score of one node for one camera; higher wins.</summary>
    public static double Score(string node, string cameraId, double weight)
    {
        // 53 random bits into (0, 1): never 0 (ln would be -inf) and never 1 (ln would be 0).
        var u = ((Hash(node, cameraId) >> 11) + 0.5) / (1UL << 53);
        return -weight / Math.Log(u);
    }

    /// <summary>FNV-1a over "node\0camera" (UTF-8) followed by the SplitMix64 finaliser: stable across processes and versions.</summary>
    public static ulong Hash(string node, string cameraId)
    {
        var h = 14695981039346656037UL;
        void Add(ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes)
            {
                h = (h ^ b) * 1099511628211UL;
            }
        }

        Add(Encoding.UTF8.GetBytes(node));
        Add([0]);
        Add(Encoding.UTF8.GetBytes(cameraId));
        h ^= h >> 30;
        h *= 0xbf58476d1ce4e5b9UL;
        h ^= h >> 27;
        h *= 0x94d049bb133111ebUL;
        h ^= h >> 31;
        return h;
    }
}
