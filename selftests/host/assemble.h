/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For the host tests that hold the decoders against binutils: assemble a
 * generated riscv64 source, read its .text, and open objdump's listing.
 */
#ifndef KLP_HOST_ASSEMBLE_H
#define KLP_HOST_ASSEMBLE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * Assemble what @write_source writes (after ".option rvc" and ".text"),
 * store at most @max bytes of its .text in @text and their number in
 * *@len, and return objdump's listing (-M no-aliases) to read with
 * pclose().  NULL if a tool failed.
 */
static FILE *assemble(void (*write_source)(FILE *f), unsigned char *text,
		      size_t max, size_t *len)
{
	char src[] = "/tmp/klp_asm_XXXXXX";
	char cmd[640], obj[64], bin[64];
	int fd = mkstemp(src);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f)
		return NULL;
	fprintf(f, "\t.option rvc\n\t.text\n");
	write_source(f);
	fclose(f);
	snprintf(obj, sizeof(obj), "%s.o", src);
	snprintf(bin, sizeof(bin), "%s.bin", src);
	snprintf(cmd, sizeof(cmd),
		 "riscv64-linux-gnu-as -march=rv64gc -mno-relax -o %s %s && riscv64-linux-gnu-objcopy -O binary -j .text %s %s",
		 obj, src, obj, bin);
	if (system(cmd))
		return NULL;
	f = fopen(bin, "rb");
	if (!f)
		return NULL;
	*len = fread(text, 1, max, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "riscv64-linux-gnu-objdump -d -M no-aliases %s; rm -f %s %s %s",
		 obj, src, obj, bin);
	return popen(cmd, "r");
}

#endif /* KLP_HOST_ASSEMBLE_H */
