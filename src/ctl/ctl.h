/*
 * eopguardctl sub-commands. Each takes the arguments after its name and
 * returns the process exit status.
 */
#ifndef EOPGUARD_CTL_H
#define EOPGUARD_CTL_H

int cmd_check(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_release(int argc, char **argv);
int cmd_probe(int argc, char **argv);

#endif
