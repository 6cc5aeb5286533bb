/*
 * bench/nullmilter.c: the least a milter can be, as a floor for
 * bench/relay.sh. It asks Postfix for no event but end-of-message (which no
 * milter can turn off), accepts every message, and changes nothing. Its
 * throughput is what the milter protocol itself costs the relay; the gap
 * between it and eopguard is eopguard's own work.
 *
 *   cc -O2 -o nullmilter bench/nullmilter.c -lmilter -pthread
 *   ./nullmilter unix:/path/to/socket
 */
#include <libmilter/mfapi.h>
#include <stdio.h>
#include <stdlib.h>

static sfsistat null_negotiate(SMFICTX *ctx, unsigned long actions, unsigned long steps,
			       unsigned long unused0, unsigned long unused1, unsigned long *want_actions,
			       unsigned long *want_steps, unsigned long *unused2, unsigned long *unused3)
{
	(void)ctx; (void)actions; (void)unused0; (void)unused1; (void)unused2; (void)unused3;
	unsigned long off = SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOMAIL | SMFIP_NORCPT | SMFIP_NOBODY |
			    SMFIP_NOHDRS | SMFIP_NOEOH | SMFIP_NOUNKNOWN | SMFIP_NODATA;
	*want_actions = 0;
	*want_steps = steps & off;
	return SMFIS_CONTINUE;
}

static sfsistat null_eom(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_ACCEPT;
}

int main(int argc, char **argv)
{
	struct smfiDesc desc = {
		.xxfi_name = "nullmilter",
		.xxfi_version = SMFI_VERSION,
		.xxfi_eom = null_eom,
		.xxfi_negotiate = null_negotiate,
	};
	if (argc != 2) {
		fprintf(stderr, "usage: nullmilter SOCKET\n");
		return 64;
	}
	if (smfi_setconn(argv[1]) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "nullmilter: cannot listen on %s\n", argv[1]);
		return 69;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 70;
}
