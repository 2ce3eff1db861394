using HttpsFlow.Tcp;
using HttpsFlow.Tls.Registry;

namespace HttpsFlow.Walkthrough;

/// <summary>The walkthrough in Simplified Chinese.</summary>
public sealed class ChinesePhrasebook : Phrasebook
{
    public override string SentenceGap => "";
    public override string Client => "客户端";
    public override string Server => "服务端";

    private static string List(IReadOnlyList<string> items) => string.Join("、", items);
    private static string Sizes(IReadOnlyList<int> sizes) =>
        sizes.Count <= 6 ? string.Join("、", sizes.Select(s => N(s))) + " 字节" : $"{N(sizes.Count)} 条记录，共 {N(sizes.Sum(s => (long)s))} 字节";

    public override string Title(int stream, string client, string server, string? sni) =>
        $"TLS 连接 {N(stream)}：{client} → {server}" + (sni is null ? "" : $"（{sni}）");
    public override string DiagramHeading => "时序图";
    public override string StepsHeading => "逐包分析";
    public override string TimingHeading => "耗时";
    public override string FindingsHeading => "发现的问题";
    public override string NoFindings => "没有需要注意的地方：没有丢包、没有告警，没有发现证书问题或弱算法。";
    public override string FindingLevelLabel(FindingLevel level) => level switch
    {
        FindingLevel.Error => "错误：",
        FindingLevel.Warning => "警告：",
        _ => "提示：",
    };
    public override string LabelClient => "客户端";
    public override string LabelServer => "服务端";
    public override string LabelSni => "服务器名（SNI）";
    public override string LabelVersion => "TLS 版本";
    public override string LabelSuite => "加密套件";
    public override string LabelAlpn => "ALPN";
    public override string LabelHandshake => "握手";
    public override string LabelDecrypted => "已解密";
    public override string LabelDuration => "持续时间";
    public override string LabelFrames => "帧";
    public override string None => "无";
    public override string NotNegotiated => "未协商（抓包中没有 Server Hello）";
    public override string AlpnNotChosen => "客户端提供了，服务端未选择";
    public override string HandshakeIncomplete => "不完整";
    public override string HandshakeResumed => "会话恢复（简化握手）";
    public override string HandshakeFull => "完整握手";
    public override string NotDecrypted => "否（没有会话密钥，握手之后的记录仍是密文）";
    public override string Decryption(Decryption.DecryptionStatus status) => status switch
    {
        HttpsFlow.Decryption.DecryptionStatus.Decrypted => "是（使用密钥日志中的密钥）",
        HttpsFlow.Decryption.DecryptionStatus.NoKeyForClientRandom => "否（密钥日志里没有这个连接的客户端随机数对应的密钥）",
        HttpsFlow.Decryption.DecryptionStatus.CipherNotSupported => "否（不支持解密这种加密套件或协议版本）",
        HttpsFlow.Decryption.DecryptionStatus.HandshakeNotCaptured => "否（抓包中没有握手，无法确定密钥）",
        HttpsFlow.Decryption.DecryptionStatus.WrongKey => "否（密钥日志中的密钥解不开这些记录：密钥不对）",
        HttpsFlow.Decryption.DecryptionStatus.RsaKeyMismatch => "否（RSA 私钥与服务端证书不匹配）",
        HttpsFlow.Decryption.DecryptionStatus.KeyExchangeNotRsa => "否（密钥交换不是 RSA，服务端的 RSA 私钥无法解密）",
        _ => NotDecrypted,
    };
    public override string DecryptedFirstClientRecord(string start) => $"解密后，客户端发送的第一段应用数据以“{start}”开头。";
    public override string DecryptedFirstServerRecord(string start) => $"服务端的第一段应用数据以“{start}”开头。";
    public override string DecryptedShortBody(string body) => $"返回的页面内容只有“{body}”。";
    public override string DecryptedHttp2Request(string method, string path, int stream) =>
        $"解密后可以看到客户端使用 HTTP/2：先发送连接前言（“PRI * HTTP/2.0”）和 SETTINGS，再在流 {stream} 上用一个 HEADERS 帧请求“{method} {path}”（头部经过 HPACK 压缩，并非文本）。";
    public override string DecryptedHttp2Response(string status, int stream) =>
        $"服务端在流 {stream} 上以 HEADERS 帧回应，:status 为 {status}，正文随后放在 DATA 帧中。";
    public override string FramesCount(long count, long first, long last) => $"{N(count)}（#{N(first)}–#{N(last)}）";

    public override string Duration(Common.Duration d)
    {
        double s = d.TotalSeconds;
        if (s < 1) return (s * 1000).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) + " 毫秒";
        if (s < 60) return s.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) + " 秒";
        return $"{N((long)(s / 60))} 分 {(s % 60).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} 秒";
    }

    public override string Lifetime(uint seconds)
    {
        if (seconds == 0) return "未给出有效期";
        if (seconds % 86400 == 0) return $"{N(seconds / 86400)} 天";
        if (seconds % 3600 == 0) return $"{N(seconds / 3600)} 小时";
        if (seconds % 60 == 0) return $"{N(seconds / 60)} 分钟";
        return $"{N(seconds)} 秒";
    }

    public override string LabelTcpRtt => "TCP 往返时间（SYN → ACK）";
    public override string LabelTlsHandshake => "TLS 握手（Client Hello → 最后一个 Finished）";
    public override string LabelFirstData => "首个应用数据（从 SYN 算起）";
    public override string LabelRoundTrips => "客户端发出数据前的往返次数";
    public override string LabelTotal => "连接总时长（首帧到末帧）";
    public override string NotSeen => "抓包中没有";

    public override string DiagramRecordPiece => "TLS 记录的一部分（未完）";
    public override string MoreFrames(long count) => $"…… 另有 {N(count)} 个报文段未保留";

    public override string NoFramesKept => "这条连接没有保留任何报文段。";
    public override string FrameHead(long number, string time, string who, string peer) => $"第 {N(number)} 帧（{time}，{who} → {peer}）：";

    public override string Syn(uint isn, int mss, int windowScale, bool sackPermitted)
    {
        var opts = new List<string>();
        if (mss > 0) opts.Add($"最大报文段长度 {N(mss)} 字节");
        if (windowScale >= 0) opts.Add($"窗口扩大因子 2^{N(windowScale)}");
        if (sackPermitted) opts.Add("选择性确认（SACK）");
        return $"客户端发送 SYN 发起连接。它的初始序号是 {N(isn)}，Wireshark 显示为 Seq=0，因为它把每一方的字节都从该方自己的初始序号开始计数（相对序号）。"
            + (opts.Count > 0 ? $"同时声明了{List(opts)}。" : "");
    }

    public override string SynAck(uint isn, uint ack, int mss, int windowScale) =>
        $"服务端回复 SYN, ACK 表示同意。它自己的序号从 {N(isn)} 开始（Seq=0），并回复 Ack={N(ack)}：SYN 本身占用一个序号，所以服务端接下来期待的是客户端的第 1 号字节。"
        + (mss > 0 ? $"它的最大报文段长度是 {N(mss)}" + (windowScale >= 0 ? $"，窗口扩大因子 2^{N(windowScale)}。" : "。") : "");

    public override string HandshakeAck(uint seq, uint ack, Common.Duration? rtt) =>
        $"客户端回复 ACK（Seq={N(seq)}，Ack={N(ack)}），三次握手完成"
        + (rtt is { } r ? $"，距它发出 SYN 共 {Duration(r)}" : "")
        + "。从这里开始，Seq 表示本报文段所携带数据的第一个字节的序号，Ack 表示发送方期望收到的下一个字节：在它之前的数据都已收到。";

    public override string Carries(string who, int count, string names) =>
        count == 1 ? $"{who}发送 {names}。" : $"{who}在同一个 TCP 报文段里发送了 {N(count)} 条 TLS 消息：{names}。";

    public override string RecordPiece(string who, int length, long completedIn) =>
        $"{who}发送了 {N(length)} 字节，属于一条一个报文段装不下的 TLS 记录"
        + (completedIn > 0 ? $"；要等第 {N(completedIn)} 帧把它补全，TLS 才能解析。" : "。");

    public override string DataRange(string who, uint seq, int length, uint next) =>
        $"Seq={N(seq)}，Len={N(length)}：这是{who}数据流中第 {N(seq)}–{N(seq + (uint)length - 1)} 号字节，下一个字节的序号将是 {N(next)}。";

    public override string FinFirst(string who, uint seq) =>
        $"{who}先发送 FIN（Seq={N(seq)}）关闭自己这一方向：它没有数据要发了。FIN 和 SYN 一样占用一个序号。";

    public override string FinSecond(string who, uint seq) => $"{who}也发送 FIN（Seq={N(seq)}）关闭自己这一方向。";

    public override string Reset(string who) => $"{who}发送 RST 强行中止连接：之后这条连接上的数据都不再被接收。";

    public override string Analysis(TcpAnalysisFlags flag) => flag switch
    {
        TcpAnalysisFlags.Retransmission => "Wireshark 将它标记为重传：这些字节之前发送过。",
        TcpAnalysisFlags.FastRetransmission => "这是快速重传：重复 ACK 报告了缺失的报文段之后立即重发。",
        TcpAnalysisFlags.SpuriousRetransmission => "这是不必要的重传：对方早已确认过这些字节。",
        TcpAnalysisFlags.OutOfOrder => "它是乱序到达的：其中的字节排在已经收到的字节之前。",
        TcpAnalysisFlags.LostSegment => "它之前有报文段没有被抓到（丢失或抓包遗漏）。",
        TcpAnalysisFlags.AckLostSegment => "它确认了抓包中从未出现过的字节。",
        TcpAnalysisFlags.DuplicateAck => "这是重复 ACK：Ack 值没有变化，说明缺口之后的数据正在到达。",
        TcpAnalysisFlags.ZeroWindow => "它的窗口为零：发送方的接收缓冲区已满。",
        TcpAnalysisFlags.WindowFull => "它填满了对方通告的窗口。",
        TcpAnalysisFlags.WindowUpdate => "这是窗口更新：只有通告窗口发生了变化。",
        TcpAnalysisFlags.KeepAlive => "这是保活探测（keep-alive）。",
        _ => "",
    };

    public override string AckNothingNew(uint ack) => $"Ack={N(ack)}，没有确认新的数据。";
    public override string AckUnmatched(uint ack) => $"Ack={N(ack)}：它期望从对方收到的下一个字节。";

    public override string AckArithmetic(uint ack, long frame, uint seq, int length, bool fin, IReadOnlyList<long> covered)
    {
        string sum = fin ? $"{N(seq)} + {N(length)} + 1（FIN）" : $"{N(seq)} + {N(length)}";
        string frames = covered.Count > 1 ? $"它一次确认了第 {string.Join("、", covered.Select(n => N(n)))} 帧。" : "";
        return $"Ack={N(ack)} = {sum}，即第 {N(frame)} 帧的 Seq 加上它的 Len：到第 {N(frame)} 帧为止的数据都已收到。{frames}";
    }

    public override string Piggyback(string who) => $"这个确认是顺带在本报文段里捎过去的，所以{who}不需要再单独发一个 ACK。";
    public override string BareAck(string who) => $"这是一个单纯的 ACK：{who}没有发送数据（Len=0），只是确认收到。";

    public override string Summary(long from, long to, int segments, int clientRecords, long clientBytes, int serverRecords, long serverBytes, int acks) =>
        $"第 {N(from)}–{N(to)} 帧：同一交互的另外 {N(segments)} 个报文段，其中客户端的应用数据记录 {N(clientRecords)} 条（{N(clientBytes)} 字节），"
        + $"服务端的 {N(serverRecords)} 条（{N(serverBytes)} 字节），单纯的 ACK {N(acks)} 个。";

    public override string SuiteParts(string name, CipherSuiteInfo? info)
    {
        if (info is null || info.IsSignaling) return name;
        if (info.IsTls13)
            return $"{name}：记录用 {CipherText(info.Cipher)} 加密，密钥用 HKDF-{HashText(info.Hash)} 派生；TLS 1.3 中密钥交换和身份认证另行协商（key_share、signature_algorithms）";
        string bulk = info.IsAead
            ? $"用 {CipherText(info.Cipher)} 对记录加密并校验完整性（AEAD），密钥派生使用 {HashText(info.Hash)}"
            : $"用 {CipherText(info.Cipher)} 加密记录，用 HMAC-{HashText(info.Hash)} 校验完整性";
        return $"{name}：密钥交换用 {info.KeyExchange}，身份认证用 {info.Authentication}（由证书的密钥签名），{bulk}";
    }

    public override string ClientHello(bool second, int length, IReadOnlyList<string> versions, int suiteCount, IReadOnlyList<string> firstSuites,
        string? sni, IReadOnlyList<string> alpn, IReadOnlyList<string> groups, IReadOnlyList<string> keyShares, string ticket, string random,
        int sessionIdLength, bool earlyData, bool tls13Suites)
    {
        var s = new List<string>
        {
            (second ? "第二个 Client Hello（服务端要求换一个密钥共享之后）" : "Client Hello") + $"（{N(length)} 字节）：客户端告诉服务端自己支持的版本（{List(versions)}），并按优先顺序列出 {N(suiteCount)} 个加密套件。排在最前面的是：{string.Join("；", firstSuites)}。" + (tls13Suites ? "每个套件依次表示密钥交换、身份认证、记录加密算法和摘要算法；TLS 1.3 的套件只包含加密算法和摘要算法，因为 TLS 1.3 把密钥交换和签名算法分开协商。" : ""),
            sni is null ? "它没有指明要访问的服务器（没有 SNI 扩展）。" : $"它指明要访问 {sni}（server_name，即 SNI），这样一台托管多个网站的服务器就知道该发哪张证书。",
        };
        if (alpn.Count > 0) s.Add($"ALPN 提供了 {List(alpn)}，用于选择 TLS 之上的协议。");
        if (groups.Count > 0) s.Add($"可用于密钥交换的组：{List(groups.Take(6).ToList())}{(groups.Count > 6 ? "等" : "")}。");
        if (keyShares.Count > 0) s.Add($"它已经附上了 {List(keyShares)} 的公钥（key_share），TLS 1.3 服务端因此只需一个往返就能完成握手。");
        s.Add(ticket);
        if (earlyData) s.Add("它还发送了 0-RTT 早期数据。");
        s.Add($"它的随机数（{Head(random, 16)}…，32 字节）是参与生成本会话所有密钥的两个随机数中的第一个。");
        if (sessionIdLength > 0) s.Add($"会话 ID：{N(sessionIdLength)} 字节。");
        return string.Join("", s);
    }

    public override string TicketPsk => "它提供了之前会话的预共享密钥（pre_shared_key），希望不经证书直接恢复会话。";
    public override string TicketOffered(int length) => $"它出示了一张 {N(length)} 字节的会话票据，想恢复之前的会话。";
    public override string TicketEmpty => "空的 session_ticket 扩展表示它希望服务端发一张票据供以后使用。";
    public override string TicketNone => "它没有请求会话票据。";
    public override string Ssl2ClientHello(int length) => $"SSL 2.0 格式的 Client Hello（{N(length)} 字节），一些老客户端用这种格式与任何版本的服务器打招呼。";

    public override string ServerHello(int length, string version, string suite, string random, string? alpn, string? group, string resumption, bool extendedMasterSecret, bool tls13)
    {
        var s = new List<string> { $"Server Hello（{N(length)} 字节）：服务端选定 {version}，以及加密套件 {suite}。" };
        if (group is not null) s.Add($"它用自己在 {group} 上的公钥回应客户端的密钥共享。");
        if (alpn is not null) s.Add($"ALPN：{alpn}。");
        s.Add($"它的随机数（{Head(random, 16)}…）是本会话的第二个随机数。");
        s.Add(resumption);
        if (extendedMasterSecret && !tls13) s.Add("启用了扩展主密钥（extended master secret）：密钥与本次握手的全部内容绑定。");
        return string.Join("", s);
    }

    public override string ResumedPsk => "它接受了预共享密钥：会话被恢复，后面不会再发证书。";
    public override string FullTls13 => "这是完整握手：服务端接下来发送的内容都已加密。";
    public override string ResumedSession => "它沿用客户端提出的会话：这是简化握手，没有证书，也没有密钥交换。";
    public override string NewSession(int sessionIdLength) => $"它开启了一个新会话（会话 ID 长 {N(sessionIdLength)} 字节）。";
    public override string NoSessionId => "它没有给出会话 ID。";
    public override string HelloRetryRequest(string group, string suite) =>
        $"Hello Retry Request：客户端提供的密钥共享服务端一个都不支持，它要求改用 {group}（套件 {suite}）；客户端必须重新发送 Client Hello，多花一个往返。";

    public override string Certificates(bool fromClient, int count, IReadOnlyList<string> entries, string chainEnd) =>
        (fromClient ? $"Certificate：客户端用 {N(count)} 张证书证明自己的身份。" : $"Certificate：服务端发来由 {N(count)} 张证书组成的证书链，自己的证书在最前。")
        + string.Join("", entries) + chainEnd;

    public override string CertificateEntry(int index, string subject, string issuer, DateTimeOffset? notBefore, DateTimeOffset? notAfter, bool validAtCapture,
        IReadOnlyList<string> sans, bool? coversSni, string? sni, string key, string signatureAlgorithm, string? signedByIndex, bool selfIssued)
    {
        var s = new List<string> { $"[{N(index)}] {subject}，签发者 {issuer}{(selfIssued ? "（自己签发）" : "")}；有效期 {Date(notBefore)} 至 {Date(notAfter)}，抓包时{(validAtCapture ? "有效" : "无效")}。" };
        if (sans.Count > 0) s.Add($"包含的名字：{string.Join("、", sans.Take(5))}{(sans.Count > 5 ? $" 等 {N(sans.Count)} 个" : "")}。");
        if (coversSni is { } c && sni is not null) s.Add(c ? $"覆盖了 {sni}。" : $"没有一个覆盖 {sni}。");
        s.Add($"公钥：{key}；签名算法 {signatureAlgorithm}。");
        if (signedByIndex is not null) s.Add($"它的签发者是证书 [{signedByIndex}]。");
        return string.Join("", s);
    }

    public override string ChainEndsAtRoot => "证书链以一张随链发送的自签名根证书结束。";
    public override string ChainEndsAtIssuer(string issuer) => $"最后一张证书由 {issuer} 签发，服务端没有发送这张根证书：客户端必须事先信任它。";

    public override string ServerKeyExchangeEc(int length, string curve, int pointLength, string? scheme, int signatureLength) =>
        $"Server Key Exchange（{N(length)} 字节）：服务端用于 ECDHE 的临时公钥，{N(pointLength)} 字节，曲线为 {curve}"
        + (scheme is null ? "。" : $"；它由证书的私钥以 {scheme} 签名（签名 {N(signatureLength)} 字节），客户端据此确认这个公钥确实来自证书的持有者。")
        + "每条连接都用新的密钥，这正是前向安全性的来源。";

    public override string ServerKeyExchangeDh(int length, int primeBits, string? scheme, int signatureLength) =>
        $"Server Key Exchange（{N(length)} 字节）：有限域 Diffie-Hellman 参数，素数 {N(primeBits)} 位，以及服务端的公钥值"
        + (scheme is null ? "。" : $"，以 {scheme} 签名（签名 {N(signatureLength)} 字节）。");

    public override string ServerHelloDone => "Server Hello Done：服务端这一轮的消息发完了，接下来等待客户端。";
    public override string CertificateRequest => "Certificate Request：服务端要求客户端也出示证书。";
    public override string CertificateStatus(int length) => $"Certificate Status（{N(length)} 字节）：随握手附带的 OCSP 响应，证明证书没有被吊销。";

    public override string ClientKeyExchangeEc(int pointLength, string? curve) =>
        $"Client Key Exchange：客户端自己的临时公钥（{N(pointLength)} 字节{(curve is null ? "" : "，曲线 " + curve)}）。"
        + "双方各自用自己的私钥和对方的公钥算出同一个预主密钥，它从未在网络上传输过；再加上两个随机数，就得到主密钥和会话密钥。";

    public override string ClientKeyExchangeRsa(int length) =>
        $"Client Key Exchange：用服务端证书的 RSA 公钥加密的预主密钥（{N(length)} 字节）。"
        + "以后谁拿到这把私钥，就能解密这次会话：RSA 密钥交换没有前向安全性。";

    public override string ClientKeyExchangeDh(int length) => $"Client Key Exchange：客户端的 Diffie-Hellman 公钥值（{N(length)} 字节）。";

    public override string ChangeCipherSpec(string who) => $"Change Cipher Spec：从下一条记录开始，{who}改用新的会话密钥加密。";
    public override string ChangeCipherSpec13(string who) => "Change Cipher Spec：在 TLS 1.3 里这只是一条占位记录，让中间设备看到熟悉的握手形式，并不改变任何东西。";

    public override string FinishedEncrypted(string who, int length) =>
        $"Encrypted Handshake Message（{N(length)} 字节）：{who}的 Finished 消息，是用新密钥加密的第一条消息。"
        + "它包含此前全部握手消息的摘要，作用有两个：一是证明握手过程没有被篡改；二是对方只有在双方算出的密钥相同时才能解密并验证它。";

    public override string EncryptedHandshake(string who, int length) => $"来自{who}的 Encrypted Handshake Message（{N(length)} 字节）。";

    public override string NewSessionTicket(int ticketLength, uint lifetime, string lifetimeText) =>
        $"New Session Ticket：一张 {N(ticketLength)} 字节的票据（用只有服务端知道的密钥加密的会话状态），有效期提示为 {N(lifetime)} 秒（{lifetimeText}）。"
        + "在这段时间内，客户端出示这张票据就能恢复会话，不必重新完整握手。";

    public override string GenericMessage(string name, int length) => $"{name}（{N(length)} 字节）。";

    public override string ApplicationData(string who, IReadOnlyList<int> sizes) =>
        $"{who}的 Application Data：{Sizes(sizes)}的加密数据（HTTP {(who == Client ? "请求" : "响应")}，没有会话密钥无法读取）。";

    public override string Tls13ServerEncryptedFlight(IReadOnlyList<int> sizes, bool first, bool resumed) =>
        (first ? "从这里开始，服务端的握手消息都是加密的。" : "")
        + $"这些记录（{Sizes(sizes)}）显示为 Application Data，因为 TLS 1.3 隐藏了真实的内容类型；其中是 "
        + (resumed ? "Encrypted Extensions 和服务端的 Finished。" : "Encrypted Extensions、Certificate、Certificate Verify（服务端对握手内容的签名）和 Finished。");

    public override string Tls13ClientFinished(int size) =>
        $"客户端的 Finished（{N(size)} 字节的记录，显示为 Application Data）：握手只用一个往返就完成了。";

    public override string Tls13PostHandshake(IReadOnlyList<int> sizes) =>
        $"服务端的加密记录（{Sizes(sizes)}），此时客户端还没有发出任何请求：这是握手后消息，多半是供以后恢复会话用的 New Session Ticket。";
    public override string FindTls13CertificateHidden => "TLS 1.3 对证书加密：没有会话密钥，这里无法检查证书链。";

    public override string EncryptedAlert(string who, bool last) =>
        $"来自{who}的 Encrypted Alert" + (last ? "：出现在连接末尾时几乎总是 close_notify，即 TCP 关闭之前 TLS 自己的告别。" : "。");

    public override string Alert(string who, string level, string description, bool fatal) =>
        $"来自{who}的告警：{level}，{description}" + (fatal ? "——致命告警，连接到此结束。" : "。");

    public override string FindRetransmissions(int n) => $"有 {N(n)} 个报文段被重传。";
    public override string FindLost(int n) => $"序号中有 {N(n)} 处缺口：报文段丢失或没有被抓到。";
    public override string FindDupAcks(int n) => $"有 {N(n)} 个重复 ACK。";
    public override string FindOutOfOrder(int n) => $"有 {N(n)} 个报文段乱序到达。";
    public override string FindZeroWindow(int n) => $"出现 {N(n)} 次零窗口通告：接收方处理不过来。";
    public override string FindReset => "连接是被 RST 重置的，而不是正常关闭。";
    public override string FindAlert(long frame, string who, string description, bool fatal) => $"第 {N(frame)} 帧{who}发出{(fatal ? "致命" : "警告级")}告警 {description}。";
    public override string FindNoHello => "抓包里有 TLS 记录却没有 Client Hello：抓包是在握手之后才开始的。";
    public override string FindNoServerHello => "这份抓包中读不到 Server Hello：可能没有发送、没有抓到，或者夹在重传和乱序的报文段里无法还原。";
    public override string FindNoFinished => "在这份抓包中握手没有完成。";
    public override string FindNoSni => "Client Hello 没有指明服务器名（没有 SNI）。";
    public override string FindFinishedMismatch(int count) =>
        $"解密后发现{(count == 1 ? "有一条 Finished 消息" : "双方的 Finished 消息")}与抓包中的握手不一致：握手在途中被改动过，或者抓包内容与双方实际交换的不同。";
    public override string FindOldVersion(string version) => $"{version} 已被废弃（RFC 8996），应使用 TLS 1.2 或 1.3。";
    public override string FindNoForwardSecrecy(string keyExchange) => $"{keyExchange} 密钥交换没有前向安全性：服务端私钥一旦泄露，录下的会话都能被解密。";
    public override string FindCbc(string suite) => $"{suite} 使用 CBC 模式，这种模式历来饱受填充攻击之苦；应优先使用 AEAD 套件（GCM、ChaCha20-Poly1305）。";
    public override string FindWeakCipher(string suite) => $"{suite} 使用了已被攻破的加密算法或空加密。";
    public override string FindSha1Handshake(string scheme) => $"密钥交换使用 {scheme} 签名（SHA-1 或更弱）。";
    public override string FindExpired(int index, string subject, DateTimeOffset notAfter) => $"证书 [{N(index)}] {subject} 在抓包时已经过期（截止于 {Date(notAfter)}）。";
    public override string FindNotYetValid(int index, string subject, DateTimeOffset notBefore) => $"证书 [{N(index)}] {subject} 在抓包时尚未生效（生效于 {Date(notBefore)}）。";
    public override string FindSha1Certificate(int index, string subject, string algorithm) => $"证书 [{N(index)}] {subject} 使用 {algorithm} 签名。";
    public override string FindShortKey(int index, string subject, int bits) => $"证书 [{N(index)}] {subject} 的密钥只有 {N(bits)} 位，太短。";
    public override string FindNameMismatch(string sni, IReadOnlyList<string> sans) => $"服务端证书不包含 {sni}（证书中的名字：{(sans.Count == 0 ? "无" : string.Join("、", sans.Take(5)))}）。";
    public override string FindUntrusted(string issuer, bool systemStore) =>
        $"证书链止于 {issuer}，它不是{(systemStore ? "本机证书库中" : "用 --trust 指定的")}的信任锚" + (systemStore ? "（如果是私有 CA，请用 --trust FILE 指定它的根证书）。" : "。");
    public override string FindSelfSigned(string subject) => $"服务端证书 {subject} 是自签名的。";
    public override string FindIncomplete(string issuer) => $"证书链不完整：缺少 {issuer} 的证书。";
    public override string FindChainProblem(string text) => $"证书链：{text}。";
    public override string FindFramesDropped(long n) => $"超出 HttpsFlow 单连接上限的 {N(n)} 个报文段只计数，没有逐一分析。";
}
