# ndr-gen.awk: turn data/ndr.txt into C initialisers for src/core/ndr.c.
# Usage: awk -f ndr-gen.awk data/ndr.txt > ndr_table.c
# Fails (exit 1, with file:line) on an unknown field or a record without code/reply.
function cstr(s,    out) {
	gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, " ", s)
	return "\"" s "\""
}
function flush() {
	if (nfields == 0) return
	if (!("code" in rec) || !("reply" in rec)) {
		printf("%s:%d: record without code or reply\n", FILENAME, start) > "/dev/stderr"
		failed = 1; exit 1
	}
	if ("breaker" in rec && rec["breaker"] != "relay" && rec["breaker"] != "domain") {
		printf("%s:%d: breaker must be relay or domain, not '%s'\n", FILENAME, start, rec["breaker"]) > "/dev/stderr"
		failed = 1; exit 1
	}
	if ("origin" in rec && rec["origin"] != "any") {
		printf("%s:%d: origin must be any, not '%s'\n", FILENAME, start, rec["origin"]) > "/dev/stderr"
		failed = 1; exit 1
	}
	printf("\t{ %s, %s, %s, %s, %s, %s, %s, %s, %s },\n", cstr(rec["code"]), cstr(rec["reply"]),
	       cstr(rec["match"]), cstr(rec["meaning"]), cstr(rec["owner"]), cstr(rec["fix"]),
	       cstr(rec["predict"]), cstr(rec["breaker"]), cstr(rec["origin"]))
	delete rec; nfields = 0
}
BEGIN {
	known["code"]; known["reply"]; known["match"]; known["meaning"]
	known["owner"]; known["fix"]; known["predict"]; known["breaker"]; known["origin"]
	print "/* Generated from data/ndr.txt by src/core/ndr-gen.awk; do not edit. */"
	print "#include \"ndr.h\""
	print "const struct ndr_record ndr_table[] = {"
}
/^#/ { next }
/^%%[ \t]*$/ { flush(); start = FNR + 1; last = ""; next }
/^[ \t]+[^ \t]/ {
	if (last == "") { printf("%s:%d: continuation line without a field\n", FILENAME, FNR) > "/dev/stderr"; failed = 1; exit 1 }
	line = $0; sub(/^[ \t]+/, "", line); rec[last] = rec[last] " " line; next
}
/^[ \t]*$/ { next }
{
	i = index($0, ":")
	name = substr($0, 1, i - 1); value = substr($0, i + 1); sub(/^[ \t]+/, "", value)
	if (i == 0 || !(name in known)) { printf("%s:%d: unknown field '%s'\n", FILENAME, FNR, name) > "/dev/stderr"; failed = 1; exit 1 }
	if (nfields == 0) start = FNR
	rec[name] = value; last = name; nfields++
}
END {
	if (failed) exit 1
	flush()
	print "};"
	print "const size_t ndr_table_len = sizeof ndr_table / sizeof ndr_table[0];"
	print "_Static_assert(sizeof ndr_table / sizeof ndr_table[0] <= NDR_TABLE_MAX, \"data/ndr.txt: more records than NDR_TABLE_MAX\");"
}
