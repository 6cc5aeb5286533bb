/*
 * review_priv: the state of a review, shared by review.c (counting, text
 * and JSON) and review_html.c (the page). Not for other modules: they use
 * review.h.
 */
#ifndef EOPGUARD_REVIEW_PRIV_H
#define EOPGUARD_REVIEW_PRIV_H

#include <stdint.h>
#include <time.h>

#include "maillog.h"
#include "ndr.h"
#include "review.h"
#include "strbuf.h"

#define QID_MAX 23
#define ADDR_KEEP 95
#define HOST_KEEP 79
#define FINDING_KEEP 47
#define CAUSES_PER_MSG 6
#define RCPTS_PER_MSG 16
#define CAUSES_MAX 512
#define TOP_MAX 24
#define EXAMPLES_MAX 3
#define FILES_MAX 64
#define HASH_BITS 17
#define HIST_BUCKETS 168   /* a week of hours */

enum cause_status { CS_BOUNCED, CS_DEFERRED, CS_EXPIRED, CS_MILTER_REJECTED, CS_HELD, CS_REJECTED };

enum msg_flag { MF_SENT = 1, MF_DEFERRED = 2, MF_BOUNCED = 4, MF_EXPIRED = 8, MF_MILTER = 16, MF_HELD = 32 };

struct msg {
	char qid[QID_MAX + 1];
	struct msg *hash_next;
	struct msg *older, *newer;     /* FIFO for eviction */
	char sender[ADDR_KEEP + 1];
	bool sender_known;                /* a from= line (or eopguard's sender=) was seen; "" is then <> */
	char client[HOST_KEEP + 1];
	char finding[FINDING_KEEP + 1];   /* eopguard's first finding, "" if none */
	unsigned flags;
	short last_cause;                 /* for "expired": the cause that kept it queued */
	unsigned char n_causes, n_rcpts;
	unsigned short causes[CAUSES_PER_MSG];
	uint32_t rcpts[RCPTS_PER_MSG];    /* hash of cause id + recipient */
};

struct top {
	size_t n;
	struct { char name[HOST_KEEP + 1]; unsigned long count; } e[TOP_MAX];
	unsigned long other;
};

struct example {
	char qid[QID_MAX + 1], rcpt[ADDR_KEEP + 1], sender[ADDR_KEEP + 1];
	bool sender_known;   /* false: the message's from= line was not in the log (not the null sender) */
};

struct cause {
	enum cause_status status;
	char code[16];
	const struct ndr_record *ndr;
	char finding[FINDING_KEEP + 1];
	char reply[240];       /* the first reply logged for it, escaped */
	char reason[128];      /* for causes the table does not explain: the reply with addresses, ids and numbers masked */
	unsigned long messages, recipients, events;
	time_t first, last;
	struct top hosts, domains;
	size_t n_examples;
	struct example examples[EXAMPLES_MAX];
};

struct file_stats {
	char name[256];
	unsigned long long lines, skipped, malformed;
};

#define CAUSE_CACHE 64
#define CAUSE_KEY_MAX 400   /* longer keys bypass the cache */

/* A cached cause, with the exact key bytes it was computed for. */
struct cause_cache_entry {
	uint32_t hash;
	size_t len;                 /* 0: empty slot */
	char key[CAUSE_KEY_MAX];
	struct cause *cause;
};

struct review {
	struct review_options opt;
	struct cause_cache_entry cache[CAUSE_CACHE];   /* reply text -> cause */
	int year;
	struct msg *buckets[1u << HASH_BITS];
	struct msg *oldest, *newest;
	size_t n_msgs;
	struct cause *causes;
	size_t n_causes;
	struct file_stats files[FILES_MAX];
	size_t n_files;
	unsigned long long lines;
	unsigned long totals_messages, sent, bounced, deferred, expired, deferrals, milter_rejected, held;
	unsigned long eg_pass, eg_warn, eg_fail;
	struct strbuf listing;   /* --messages */
	/* review_options.histogram: messages per cause per time bucket, [CAUSES_MAX][HIST_BUCKETS] */
	uint32_t *hist;
	time_t hist_origin;      /* start of bucket 0 */
	long hist_width;         /* seconds per bucket: an hour, doubled while the span does not fit */
};

/* The causes, most messages first (out has room for n_causes). */
size_t review_sorted_causes(struct review *r, const struct cause **out);
/* "2026-11-30T10:00:00Z", or "-" for 0. */
void review_iso_time(time_t t, char *out, size_t len);
/* The status word of a cause ("bounced", ...). */
const char *review_status_name(const struct cause *c);
/* The reply a cause is shown with: the table's when it is of the cause's own code, else the one logged. */
const char *review_cause_reply(const struct cause *c);
/* An example's sender as shown: the address, "<>" for the null sender, "unknown" when never seen. */
const char *review_example_sender(const struct example *e);

#endif
