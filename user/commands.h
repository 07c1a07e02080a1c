/* SPDX-License-Identifier: GPL-2.0 */
/* The reader's commands, one file each (cmd_*.c), which main() runs. */
#ifndef HT_COMMANDS_H
#define HT_COMMANDS_H

/* Each takes its own argv ("hugetrack NAME" first) and returns an enum ht_exit. */
int cmd_snapshot(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_reservations(int argc, char **argv);

#endif /* HT_COMMANDS_H */
