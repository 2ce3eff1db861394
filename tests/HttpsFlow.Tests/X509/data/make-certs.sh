#!/usr/bin/env bash
# Makes the extra certificates the X.509 tests read (tests/HttpsFlow.Tests/X509/data/*.pem), with OpenSSL 3.
# Run from anywhere: tests/HttpsFlow.Tests/X509/data/make-certs.sh
#
# Fixed serials and dates (`openssl ca -startdate/-enddate`), fresh keys on every run, so the tests pin names,
# serials, dates and extensions but read key-dependent values (modulus, key identifiers, fingerprints) from the
# files or from `openssl x509` itself. TEST KEYS ONLY; the private keys are not kept.
#
#   ec-root.pem      self-signed EC P-256 CA, PrintableString names, ecdsa-with-SHA256
#   ec-leaf.pem      EC P-256 leaf from ec-root: notAfter in 2051 (GeneralizedTime), a multi-valued RDN, a BMPString,
#                    an emailAddress and serialNumber attribute, SAN of every kind (DNS, wildcard DNS, IPv4, IPv6, email,
#                    URI, otherName, registeredID, directoryName), AKI with issuer and serial, AIA (OCSP, caIssuers),
#                    CRL distribution points, certificate policies with qualifiers, every EKU purpose, an SCT list
#   ip-critical.pem  EC P-256 leaf from ec-root with only IP SANs and a critical extension nobody knows
#   bad-ext.pem      EC P-256 leaf from ec-root, correctly signed, whose basicConstraints and subjectAltName values
#                    are malformed DER
#   v1-p384.pem      version 1 certificate (no extensions) with an EC P-384 key, ecdsa-with-SHA384, from ec-root
#   ed25519.pem      self-signed Ed25519 certificate
#   ed448.pem        self-signed Ed448 certificate
#   rsa-pss.pem      self-signed RSA-PSS (2048) certificate, rsassa-pss with SHA-256 parameters
#   *.txt            `openssl x509 -text -noout` of each, for reading the tests against
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir new
touch index.txt

cat >ca.cnf <<'EOF'
[ca]
default_ca = testca

[testca]
dir             = .
database        = ./index.txt
new_certs_dir   = ./new
serial          = ./serial
default_md      = sha256
policy          = policy_any
unique_subject  = no
copy_extensions = none
email_in_dn     = yes

[policy_any]
commonName = optional

[req]
distinguished_name = dn
prompt             = no
string_mask        = default
utf8               = yes

[req_pkix]
distinguished_name = dn
string_mask        = pkix
utf8               = yes

[dn]
CN = unused

[root_ext]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[self_ext]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
subjectKeyIdentifier   = hash

[leaf_ext]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyAgreement
extendedKeyUsage       = serverAuth, clientAuth, codeSigning, emailProtection, timeStamping, OCSPSigning
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always, issuer:always
subjectAltName         = @san
authorityInfoAccess    = OCSP;URI:http://ocsp.httpsflow.example, caIssuers;URI:http://pki.httpsflow.example/ec-root.der
crlDistributionPoints  = URI:http://pki.httpsflow.example/ec-root.crl, URI:ldap://ldap.httpsflow.example/cn=ec-root
certificatePolicies    = 2.23.140.1.2.1, @policy1
1.3.6.1.4.1.11129.2.4.2 = DER:__SCT_LIST__

[san]
DNS.1   = ec.httpsflow.example
DNS.2   = *.wild.httpsflow.example
IP.1    = 192.0.2.10
IP.2    = 2001:db8::1
email.1 = pki@httpsflow.example
URI.1   = https://httpsflow.example/
otherName.1 = 1.3.6.1.4.1.311.20.2.3;UTF8:upn@httpsflow.example
RID.1   = 1.2.3.4
dirName.1 = san_dir

[san_dir]
O  = HttpsFlow Test
CN = Directory Name

[policy1]
policyIdentifier = 1.3.6.1.4.1.55555.1.2
CPS.1            = https://httpsflow.example/cps
userNotice.1     = @notice1

[notice1]
explicitText = "Test certificates only"

[ip_ext]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
subjectAltName         = IP:192.0.2.44, IP:198.51.100.7, IP:2001:db8:0:1::44
1.3.6.1.4.1.55555.7.1  = critical, DER:0c:05:68:65:6c:6c:6f

[bad_ext]
basicConstraints       = critical, DER:30:03:01:01
keyUsage               = critical, digitalSignature
subjectAltName         = DER:30:09:82:0b:62:61:64:2e:65:78:61
subjectKeyIdentifier   = hash
EOF

# SignedCertificateTimestampList (RFC 6962 §3.3), TLS-encoded, in an OCTET STRING:
#   opaque SerializedSCT<1..2^16-1>; struct { SerializedSCT sct_list <1..2^16-1>; } SignedCertificateTimestampList;
#   SCT v1: version(1) log_id(32) timestamp(8, ms) extensions<0..2^16-1> hash(1) sig(1) signature<0..2^16-1>
sct() { # log-id-hex timestamp-ms
    printf '00%s%016x0000%s' "$1" "$2" '0403000401020304'
}
log1=$(printf 'HttpsFlow test log 1' | openssl dgst -sha256 -r | cut -c1-64)
log2=$(printf 'HttpsFlow test log 2' | openssl dgst -sha256 -r | cut -c1-64)
s1=$(sct "$log1" 1780272000123)
s2=$(sct "$log2" 1780272001456)
l1=$(printf '%04x' $((${#s1} / 2)))
l2=$(printf '%04x' $((${#s2} / 2)))
body="$l1$s1$l2$s2"
list="$(printf '%04x' $((${#body} / 2)))$body"
octets="04$(printf '%02x' $((${#list} / 2)))$list"
sed -i "s/__SCT_LIST__/$(sed 's/../&:/g; s/:$//' <<<"$octets")/" ca.cnf

sign_cert() { # name serial start end extensions issuer-cert issuer-key csr [extra ca args...]
    local name=$1 serial=$2 start=$3 end=$4 ext=$5 cacert=$6 cakey=$7 csr=$8
    shift 8
    echo "$serial" >serial # hex, an even number of digits
    openssl ca -batch -config ca.cnf -preserveDN -notext -in "$csr" -out "$name.pem" \
        -startdate "$start" -enddate "$end" ${ext:+-extensions "$ext"} \
        ${cacert:+-cert "$cacert"} -keyfile "$cakey" "$@" 2>ca.log || { cat ca.log >&2; exit 1; }
}

# EC root (self-signed through `openssl ca -selfsign`, so that its dates are fixed too)
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec-root.key
openssl req -new -key ec-root.key -config ca.cnf \
    -subj "/C=DE/O=HttpsFlow Test/OU=X509 Tests/CN=HttpsFlow Test EC Root" -out ec-root.csr
sign_cert ec-root 03E9 20260101000000Z 20460101000000Z root_ext "" ec-root.key ec-root.csr -selfsign

# Rich EC leaf (BMPString for the locality: string_mask pkix has no T61String)
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec-leaf.key
openssl req -new -key ec-leaf.key -config ca.cnf -section req_pkix -multivalue-rdn \
    -subj "/C=DE/ST=Berlin/L=Zürich/O=HttpsFlow Test/OU=Lab+OU=Certificates/CN=ec.httpsflow.example/emailAddress=pki@httpsflow.example/serialNumber=42" \
    -out ec-leaf.csr
sign_cert ec-leaf 0A1B2C3D4E5F 20260601000000Z 20510601120000Z leaf_ext ec-root.pem ec-root.key ec-leaf.csr

# IP-only leaf with a critical unknown extension
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ip.key
openssl req -new -key ip.key -config ca.cnf -subj "/O=HttpsFlow Test/CN=192.0.2.44" -out ip.csr
sign_cert ip-critical 00FF01 20260601000000Z 20360601000000Z ip_ext ec-root.pem ec-root.key ip.csr

# Correctly signed leaf with malformed extension values
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out bad.key
openssl req -new -key bad.key -config ca.cnf -subj "/CN=bad-ext.httpsflow.example" -out bad.csr
sign_cert bad-ext 4D 20260601000000Z 20360601000000Z bad_ext ec-root.pem ec-root.key bad.csr

# Version 1 (no extensions section), EC P-384 key, ecdsa-with-SHA384
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out v1.key
openssl req -new -key v1.key -config ca.cnf -subj "/C=DE/CN=v1.httpsflow.example" -out v1.csr
sign_cert v1-p384 01 20260601000000Z 20360601000000Z "" ec-root.pem ec-root.key v1.csr -md sha384

# Self-signed Ed25519 and Ed448
for alg in ed25519:2519 ed448:0448; do
    serial=${alg#*:} alg=${alg%:*}
    openssl genpkey -algorithm "$alg" -out "$alg.key"
    openssl req -new -key "$alg.key" -config ca.cnf -subj "/CN=$alg.httpsflow.example" -out "$alg.csr"
    sign_cert "$alg" "$serial" 20260601000000Z 20360601000000Z self_ext "" "$alg.key" "$alg.csr" -selfsign
done

# Self-signed RSA-PSS
openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_pss_keygen_md:sha256 \
    -pkeyopt rsa_pss_keygen_mgf1_md:sha256 -pkeyopt rsa_pss_keygen_saltlen:32 -out pss.key 2>/dev/null
openssl req -new -key pss.key -config ca.cnf -subj "/CN=rsa-pss.httpsflow.example" -out pss.csr
sign_cert rsa-pss 0055 20260601000000Z 20360601000000Z self_ext "" pss.key pss.csr -selfsign

for f in ec-root ec-leaf ip-critical bad-ext v1-p384 ed25519 ed448 rsa-pss; do
    openssl x509 -in "$f.pem" -out "$here/$f.pem"
    openssl x509 -in "$f.pem" -text -noout >"$here/$f.txt"
done
echo "wrote $(cd "$here" && ls ./*.pem | wc -l) certificates to $here"
