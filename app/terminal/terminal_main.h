/* terminal_main.h: startup and shutdown of the terminal (main.c). */
#ifndef RAKWON_TERMINAL_TERMINAL_MAIN_H
#define RAKWON_TERMINAL_TERMINAL_MAIN_H

struct terminal;

int terminal_start(struct terminal *t);
/* clean: hang up, unregister, then the loop quits */
void terminal_shutdown(struct terminal *t);
void terminal_free(struct terminal *t);

#endif
