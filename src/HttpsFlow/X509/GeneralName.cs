using System.Net;

namespace HttpsFlow.X509;

/// <summary>The choice of a GeneralName; the values are its context tags.</summary>
public enum GeneralNameKind : byte
{
    OtherName = 0,
    Rfc822Name = 1,
    DnsName = 2,
    X400Address = 3,
    DirectoryName = 4,
    EdiPartyName = 5,
    Uri = 6,
    IPAddress = 7,
    RegisteredId = 8,
}

/// <summary>
/// A GeneralName (RFC 5280 §4.2.1.6):
/// <code>
/// GeneralName ::= CHOICE {
///      otherName                 [0]  OtherName,            -- type-id OID, [0] EXPLICIT value
///      rfc822Name                [1]  IA5String,
///      dNSName                   [2]  IA5String,
///      x400Address               [3]  ORAddress,
///      directoryName             [4]  Name,
///      ediPartyName              [5]  EDIPartyName,
///      uniformResourceIdentifier [6]  IA5String,
///      iPAddress                 [7]  OCTET STRING,
///      registeredID              [8]  OBJECT IDENTIFIER }
/// </code>
/// </summary>
public sealed class GeneralName
{
    internal GeneralName(GeneralNameKind kind, string value, ReadOnlyMemory<byte> raw, ByteRange range)
    {
        Kind = kind;
        Value = value;
        Raw = raw;
        Range = range;
    }

    public GeneralNameKind Kind { get; }

    /// <summary>
    /// The name as text: the string of an rfc822Name, dNSName or URI; an IP address as <see cref="IPAddress"/>
    /// writes it (<c>2001:db8::1</c>; <c>address/mask</c> in name constraints); the RFC 4514 form of a directoryName;
    /// the OID of a registeredID; an otherName's string value, or #hex of its encoding; hex for the rest.
    /// </summary>
    public string Value { get; }

    /// <summary>The contents of the choice's TLV (the IA5 bytes, the address bytes, …).</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    /// <summary>The choice's TLV.</summary>
    public ByteRange Range { get; }

    /// <summary>For iPAddress of 4 or 16 bytes, the address.</summary>
    public IPAddress? IPAddress { get; internal init; }

    /// <summary>For directoryName, the name.</summary>
    public DistinguishedName? DirectoryName { get; internal init; }

    /// <summary>For otherName, its type-id (<c>1.3.6.1.4.1.311.20.2.3</c> for a Microsoft UPN).</summary>
    public string? OtherNameTypeId { get; internal init; }

    /// <summary>For otherName, the universal type of its value when that is a string.</summary>
    internal System.Formats.Asn1.UniversalTagNumber? OtherNameStringType { get; init; }

    /// <summary>The tshark name of the choice (<c>dNSName</c>, <c>iPAddress</c>, …).</summary>
    public string KindName => Kind switch
    {
        GeneralNameKind.OtherName => "otherName",
        GeneralNameKind.Rfc822Name => "rfc822Name",
        GeneralNameKind.DnsName => "dNSName",
        GeneralNameKind.X400Address => "x400Address",
        GeneralNameKind.DirectoryName => "directoryName",
        GeneralNameKind.EdiPartyName => "ediPartyName",
        GeneralNameKind.Uri => "uniformResourceIdentifier",
        GeneralNameKind.IPAddress => "iPAddress",
        _ => "registeredID",
    };

    /// <summary>OpenSSL's form: <c>DNS:example.com</c>, <c>IP Address:192.0.2.1</c>, <c>email:…</c>, <c>URI:…</c>.</summary>
    public override string ToString() => Kind switch
    {
        GeneralNameKind.OtherName => $"othername: {OtherNameTypeId}:{Value}",
        GeneralNameKind.Rfc822Name => "email:" + Value,
        GeneralNameKind.DnsName => "DNS:" + Value,
        GeneralNameKind.DirectoryName => "DirName:" + Value,
        GeneralNameKind.Uri => "URI:" + Value,
        GeneralNameKind.IPAddress => "IP Address:" + Value,
        GeneralNameKind.RegisteredId => "Registered ID:" + Value,
        _ => KindName + ":" + Value,
    };
}
