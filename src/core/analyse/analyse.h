/* Crash report analysis: kernel log text in, structured reports out (pure code). */
#ifndef NX_ANALYSE_H
#define NX_ANALYSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NX_SIGNATURE_VERSION 2	/* 1: netoops titles; 2: syzbot titles (docs/analysis.md) */

/* Bounds on what one analysis builds, whatever the input (docs/analysis.md, "Limits") */
#define NX_FIELD_MAX	1024	/* bytes of one string field (title, comm, frame name...); cut */
#define NX_TITLE_MAX	(160 + NX_FIELD_MAX + 16)	/* bytes of a title: class, " in ", function */
/* Lines of a text analysed: a kernel log's lines average far more than 16 bytes; the lines
 * past this are ignored. Frames + modules + 8 per report: the rest is not built. */
#define NX_LINES_MAX(len)	((len) / 16 + 4096)
#define NX_ITEMS_MAX(len)	((len) / 32 + 4096)

enum nx_section {		/* which stack a frame was printed in */
	NX_SECT_NONE, NX_SECT_TASK, NX_SECT_IRQ, NX_SECT_SOFTIRQ, NX_SECT_NMI,
	NX_SECT_EXCEPTION, NX_SECT_OTHER
};

struct nx_frame {
	char *func;		/* "ext4_readdir" (".isra.0" suffixes kept here, cut for titles) */
	uint64_t offset, size;	/* +0x2b/0x90, 0 when absent */
	char *module;		/* "[ext4]" -> "ext4"; NULL for vmlinux */
	bool reliable;		/* false for "? " frames */
	bool inlined;		/* "func file.c:1 [inline]" of symbolised traces: never the culprit */
	enum nx_section section;
};

struct nx_module {
	char *name;
	char *taints;		/* "OE" from "foo(OE)", "" when none */
};

struct nx_report {
	char *title;		/* syzbot's convention: "divide error in init_module" */
	char *alt_title;	/* another name syzbot knows the bug by ("stall in X"), or NULL */
	char *class;		/* "divide error", "kernel BUG", "WARNING", ... */
	char *type;		/* null-deref, paging, gpf, bug, warning, lockup, hang, rcu-stall,
				 * oom, panic, divide, invalid-opcode, mce, lockdep,
				 * sanitizer, leak, other (docs/analysis.md) */
	bool corrupted;		/* header found, but no stack, no culprit ("... in corrupted") or
				 * cut before what the title needs (docs/analysis.md) */
	bool primary;		/* first report of the text */
	char *kernel;		/* release from the CPU: line, or NULL */
	char *taint;		/* letters as printed ("G OE"), or NULL */
	uint32_t taint_mask;	/* bit n = taint flag n (P=0 ... J=19) */
	int cpu, pid;		/* -1 when absent */
	char *comm;
	char *hardware;
	int die_counter;	/* [#N], 0 when absent */
	char *panic_msg;	/* text after "Kernel panic - not syncing: " */
	char *rip_func;		/* RIP/PC/NIP/EIP function, with +off/size stripped */
	struct nx_frame *frames;
	size_t n_frames;
	struct nx_module *modules;
	size_t n_modules;
	char *signature;	/* "v2:<hex digest>", see signature.c */
	size_t start, end;	/* byte range of the report in the analysed text */
};

struct nx_report_set {
	struct nx_report *reports;	/* reports[0] is the primary one */
	size_t n;
};

/* Find and analyse every crash report in TEXT. Never fails on input; NULL only on ENOMEM. */
struct nx_report_set *nx_analyse(const char *text, size_t len);
void nx_report_set_free(struct nx_report_set *set);

#endif
