// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daxrw - map a device-dax character device, write a pattern, read it back.
 *
 * Proves that a dax device left in devdax mode is usable memory.  A
 * device-dax mapping must be a multiple of the device's alignment (2 MiB by
 * default, drivers/dax/device.c check_vma()), and MAP_SHARED is required.
 * Emulated CXL memory is MMIO under TCG (a few MB/s), so the default size is
 * one 2 MiB page and only a stride of it is touched.
 *
 * Usage: daxrw /dev/daxX.Y [bytes]
 * Exit: 0 pattern verified, 1 usage, 2 open/mmap failed (errno printed),
 *       3 mismatch.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t len = 2UL << 20, i, stride = 4096;
	volatile uint64_t *p;
	void *map;
	int fd;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s /dev/daxX.Y [bytes]\n", argv[0]);
		return 1;
	}
	if (argc == 3)
		len = strtoull(argv[2], NULL, 0);

	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		printf("open %s: %s (errno %d)\n", argv[1], strerror(errno), errno);
		return 2;
	}
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		printf("mmap %s: %s (errno %d)\n", argv[1], strerror(errno), errno);
		return 2;
	}
	p = map;
	for (i = 0; i < len / stride; i++)
		p[i * stride / sizeof(*p)] = 0x7464786d656d6400ULL ^ i;
	for (i = 0; i < len / stride; i++)
		if (p[i * stride / sizeof(*p)] != (0x7464786d656d6400ULL ^ i)) {
			printf("mismatch at offset %zu\n", i * stride);
			return 3;
		}
	munmap(map, len);
	close(fd);
	printf("ok: %zu bytes mapped, %zu words written and verified\n", len,
	       len / stride);
	return 0;
}
