/*
 * replay: runs the inputs of one fuzz corpus through its fuzz target,
 * without libFuzzer, so that "make check" (and its ASan+UBSan run) replays
 * every seed and every regression input (a crash libFuzzer once found,
 * kept in tests/fuzz/corpus/TARGET/regress-*). Linked with fuzz_targets.c
 * compiled for one target (-DFUZZ_<NAME>).
 *
 * Usage: replay TARGET DIR. Prints "ok - replay TARGET FILE" per input; a
 * crash or a sanitizer report ends the process, which fails the test.
 * Does not: mutate inputs (that is tests/fuzz/run.sh's job).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_INPUT_MAX (1u << 20)   /* as run.sh's -max_len and then some */

/* Read a whole file of at most REPLAY_INPUT_MAX bytes; NULL with errno set. */
static uint8_t *read_input(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL)
		return NULL;
	uint8_t *buf = malloc(REPLAY_INPUT_MAX);
	size_t n = buf != NULL ? fread(buf, 1, REPLAY_INPUT_MAX, fp) : 0;
	int failed = buf == NULL || ferror(fp);
	fclose(fp);
	if (failed) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	*len = n;
	return buf;
}

/* qsort comparator for file names. */
static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: replay TARGET DIR\n");
		return 64;
	}
	DIR *d = opendir(argv[2]);
	if (d == NULL) {
		printf("not ok - replay %s: cannot open %s: %s\n", argv[1], argv[2], strerror(errno));
		return 1;
	}
	char *names[4096];
	size_t count = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && count < sizeof names / sizeof names[0]) {
		if (e->d_name[0] != '.')
			names[count++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, count, sizeof names[0], by_name);
	int rc = count > 0 ? 0 : 1;
	if (count == 0)
		printf("not ok - replay %s: no inputs in %s\n", argv[1], argv[2]);
	for (size_t i = 0; i < count; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", argv[2], names[i]);
		size_t len = 0;
		uint8_t *data = read_input(path, &len);
		if (data == NULL) {
			printf("not ok - replay %s %s: %s\n", argv[1], names[i], strerror(errno));
			rc = 1;
		} else {
			fflush(stdout);
			LLVMFuzzerTestOneInput(data, len);
			printf("ok - replay %s %s (%zu bytes)\n", argv[1], names[i], len);
			free(data);
		}
		free(names[i]);
	}
	return rc;
}
