namespace HttpsFlow.Tests.TestSupport;

/// <summary>Hex text to bytes; spaces (used to separate protocol layers in the vectors) are ignored.</summary>
internal static class Hex
{
    public static byte[] Parse(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
