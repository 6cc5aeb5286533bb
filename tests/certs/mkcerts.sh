#!/bin/sh
# mkcerts.sh DIR: make the certificate fixtures for eopguard's tests in DIR,
# at test time, with openssl. Names are for tenant domain contoso.test.
#
#   root.pem, int.pem          trusted root and its intermediate (CA)
#   other-root.pem             a root nobody trusts, other-int.pem under it
#   good.pem/.key              leaf (mail.contoso.test) + intermediate, EC P-256
#   rsa.pem/.key               as good, RSA 2048
#   noint.pem                  good leaf without the intermediate (key: good.key)
#   expired.pem, notyet.pem, expiring.pem   validity variants (+ intermediate)
#   int-expired-chain.pem      valid leaf whose intermediate has expired
#   wrongname.pem              leaf for other.example
#   fabrikam.pem/.key          a second tenant's leaf (mail.fabrikam.test) + intermediate;
#                              fabrikam-noint.pem the same leaf alone
#   wildcard.pem               leaf for *.contoso.test
#   cnonly.pem                 leaf with CN mail.contoso.test and no SAN
#   selfsigned.pem/.key        self-signed mail.contoso.test
#   untrusted.pem              leaf + other-int + other-root
#   weakkey.pem/.key           RSA 1024 leaf
#   sha1.pem                   leaf signed with SHA-1
#   serveronly.pem             leaf whose EKU is serverAuth only
#   mismatch.key               a key that belongs to no certificate here
#   outoforder.pem             leaf, root, intermediate
#   combined.pem               key, leaf, intermediate in one file (Postfix chain style)
#   garbage.pem, empty.pem, leaf.der, adir/   unreadable variants
#   server-selfsigned.pem      self-signed CN=SERVER1 (the hybrid receive side)
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
export OPENSSL_CONF=/dev/null   # no site defaults (Debian's SECLEVEL etc.)
export CA=root SAN=DNS:placeholder.invalid   # ca.cnf reads both from the environment

ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"$2" -out "$1" 2>/dev/null; }

cat > ca.cnf <<'EOT'
[ca]
default_ca = ca_default
[ca_default]
dir = .
database = $dir/index-$ENV::CA.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial-$ENV::CA
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[policy_any]
commonName = supplied
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[v3_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = $ENV::SAN
authorityInfoAccess = caIssuers;URI:http://pki.contoso.test/int.crt
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf_nosan]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
[leaf_serveronly]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $ENV::SAN
EOT
mkdir -p newcerts
for ca in root int other-root other-int int-expired; do : > "index-$ca.txt"; echo 1000 > "serial-$ca"; done

# sign CA CAKEY CACERT CSR OUT EXT START END [MD]
sign() {
	CA=$1 openssl ca -batch -config ca.cnf -keyfile "$2" -cert "$3" -in "$4" -out "$5.tmp" \
		-extensions "$6" -startdate "$7" -enddate "$8" -md "${9:-sha256}" -notext 2>ca.err ||
		{ cat ca.err >&2; exit 1; }
	mv "$5.tmp" "$5"
}
csr() { openssl req -new -config ca.cnf -key "$1" -subj "/CN=$2" -out "$3"; }
past_start=20200101000000Z
far_end=20991231000000Z
now_start=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)

# CAs
ec_key root.key
openssl req -x509 -new -config ca.cnf -key root.key -subj "/CN=Contoso Test Root" -days 7300 \
	-extensions v3_ca -out root.pem
ec_key int.key
csr int.key "Contoso Test Issuing CA 1" int.csr
sign root root.key root.pem int.csr int.pem v3_ca "$past_start" "$far_end"
ec_key other-root.key
openssl req -x509 -new -config ca.cnf -key other-root.key -subj "/CN=Untrusted Root" -days 7300 \
	-extensions v3_ca -out other-root.pem
ec_key other-int.key
csr other-int.key "Untrusted Issuing CA" other-int.csr
sign other-root other-root.key other-root.pem other-int.csr other-int.pem v3_ca "$past_start" "$far_end"
ec_key int-expired.key
csr int-expired.key "Contoso Expired Issuing CA" int-expired.csr
sign root root.key root.pem int-expired.csr int-expired.pem v3_ca "$past_start" 20210101000000Z

# leaf NAME KEYFILE CN SAN EXT START END [MD] [CA]
leaf() {
	csr "$2" "$3" "$1.csr"
	ca=${9:-int}
	SAN=$4 sign "$ca" "$ca.key" "$ca.pem" "$1.csr" "$1.leaf" "$5" "$6" "$7" "${8:-sha256}"
}
export SAN=DNS:placeholder.invalid
ec_key good.key
leaf good good.key mail.contoso.test DNS:mail.contoso.test leaf "$now_start" "$far_end"
cat good.leaf int.pem > good.pem
cp good.leaf noint.pem
rsa_key rsa.key 2048
leaf rsa rsa.key mail.contoso.test DNS:mail.contoso.test leaf "$now_start" "$far_end"
cat rsa.leaf int.pem > rsa.pem
leaf expired good.key mail.contoso.test DNS:mail.contoso.test leaf "$past_start" 20210101000000Z
cat expired.leaf int.pem > expired.pem
leaf notyet good.key mail.contoso.test DNS:mail.contoso.test leaf 20980101000000Z "$far_end"
cat notyet.leaf int.pem > notyet.pem
leaf expiring good.key mail.contoso.test DNS:mail.contoso.test leaf "$now_start" "$(date -u -d '+10 days' +%Y%m%d%H%M%SZ)"
cat expiring.leaf int.pem > expiring.pem
leaf intexp good.key mail.contoso.test DNS:mail.contoso.test leaf "$now_start" "$far_end" sha256 int-expired
cat intexp.leaf int-expired.pem > int-expired-chain.pem
leaf wrongname good.key other.example DNS:other.example,DNS:www.other.example leaf "$now_start" "$far_end"
cat wrongname.leaf int.pem > wrongname.pem
ec_key fabrikam.key
leaf fabrikam fabrikam.key mail.fabrikam.test DNS:mail.fabrikam.test leaf "$now_start" "$far_end"
cat fabrikam.leaf int.pem > fabrikam.pem
cp fabrikam.leaf fabrikam-noint.pem
leaf wildcard good.key '*.contoso.test' 'DNS:*.contoso.test' leaf "$now_start" "$far_end"
cat wildcard.leaf int.pem > wildcard.pem
leaf cnonly good.key mail.contoso.test DNS:unused.invalid leaf_nosan "$now_start" "$far_end"
cat cnonly.leaf int.pem > cnonly.pem
leaf serveronly good.key mail.contoso.test DNS:mail.contoso.test leaf_serveronly "$now_start" "$far_end"
cat serveronly.leaf int.pem > serveronly.pem
leaf sha1 good.key mail.contoso.test DNS:mail.contoso.test leaf "$now_start" "$far_end" sha1
cat sha1.leaf int.pem > sha1.pem
rsa_key weakkey.key 1024
leaf weakkey weakkey.key mail.contoso.test DNS:mail.contoso.test leaf "$now_start" "$far_end"
cat weakkey.leaf int.pem > weakkey.pem
leaf untrusted good.key mail.contoso.test DNS:mail.contoso.test leaf "$now_start" "$far_end" sha256 other-int
cat untrusted.leaf other-int.pem other-root.pem > untrusted.pem
cat good.leaf root.pem int.pem > outoforder.pem
cat good.key good.leaf int.pem > combined.pem
ec_key selfsigned.key
openssl req -x509 -new -config ca.cnf -key selfsigned.key -subj "/CN=mail.contoso.test" -days 365 \
	-addext "subjectAltName=DNS:mail.contoso.test" -out selfsigned.pem
ec_key server-selfsigned.key
openssl req -x509 -new -config ca.cnf -key server-selfsigned.key -subj "/CN=SERVER1" -days 365 \
	-addext "subjectAltName=DNS:SERVER1,DNS:SERVER1.domain.com" -out server-selfsigned.pem
ec_key mismatch.key
printf -- '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n' > garbage.pem
: > empty.pem
openssl x509 -in good.leaf -outform DER -out leaf.der
mkdir -p adir
# Modes set explicitly, whatever the caller's umask: keys root-only, the
# rest (combined.pem too, which holds a key: the key-permissions case) 0644.
chmod 644 ./*.pem ./*.der
chmod 600 ./*.key
rm -f ./*.csr ./*.tmp ca.err
