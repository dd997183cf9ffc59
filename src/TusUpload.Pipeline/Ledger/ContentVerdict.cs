namespace TusUpload.Pipeline.Ledger;

/// <summary>What a worker learned by reading a received upload once.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the whole content.</param>
/// <param name="Length">Bytes read.</param>
/// <param name="Infected">True when the scanner found something; <paramref name="Signature"/> names it.</param>
/// <param name="Signature">Scanner signature name, or null.</param>
/// <param name="Scanned">False when scanning is switched off, so that "nothing found" is never claimed.</param>
public sealed record ContentVerdict(string Sha256, long Length, bool Infected, string? Signature, bool Scanned = true);
