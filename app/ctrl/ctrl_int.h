/* ctrl_int.h: control API internals shared by ctrl.c and the transports. */
#ifndef RAKWON_CTRL_CTRL_INT_H
#define RAKWON_CTRL_CTRL_INT_H

#include "ctrl/ctrl.h"

struct cmd_table;
struct unix_client;

struct ctrl {
	struct loop *loop;
	void *ctx;
	struct cmd_table *tables;
	struct ctrl_sink *sinks;
	/* Unix socket transport */
	int unix_fd;
	char *unix_path;
	struct unix_client *clients;
	unsigned nclients;
};

void ctrl_unix_close(struct ctrl *c);

#endif
