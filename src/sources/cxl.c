// SPDX-License-Identifier: GPL-2.0-or-later
/* CXL attribution of dax devices: their region and memdevs (cxl.h). */
#include "cxl.h"

#include "log.h"
#include "macro.h"
#include "path.h"

#include <ctype.h>
#include <cxl/libcxl.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cxl_region_from_sysfs_path(const char *path, char **ret_region)
{
	/* .../regionN/dax_regionN/daxN.M: the dax region's parent is the CXL region */
	const char *dax_region = strstr(path, "/dax_region");
	if (!dax_region)
		return -ENOENT;

	const char *start = dax_region;
	while (start > path && start[-1] != '/')
		start--;
	size_t len = (size_t)(dax_region - start);
	if (len <= strlen("region") || strncmp(start, "region", 6) != 0)
		return -ENOENT;
	for (size_t i = 6; i < len; i++)
		if (!isdigit((unsigned char)start[i]))
			return -ENOENT;

	char *region = strndup(start, len);
	if (!region)
		return -ENOMEM;
	*ret_region = region;
	return 0;
}

#define CXL_DEVICES "/sys/bus/cxl/devices"

/* memN:SERIAL of the memdev behind endpoint decoder @decoder ("decoder5.0"). */
static int target_memdev(FILE *out, const char *decoder, struct dax_device *device)
{
	char path[PATH_MAX], link[PATH_MAX], serial[32];

	/* the decoder's parent is its endpoint port; the port's uport the memdev */
	snprintf(path, sizeof(path), CXL_DEVICES "/%s", decoder);
	_cleanup_free_ char *real = realpath(path, NULL);
	char *slash = real ? strrchr(real, '/') : NULL;
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	if ((size_t)snprintf(path, sizeof(path), "%s/uport", real) >= sizeof(path))
		return -ENAMETOOLONG;
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -ENOENT;
	link[n] = '\0';
	const char *memdev = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if (strncmp(memdev, "mem", 3) != 0 ||
	    (size_t)snprintf(path, sizeof(path), CXL_DEVICES "/%s/serial", memdev) >=
		sizeof(path) ||
	    read_attribute(path, serial, sizeof(serial)) < 0)
		return -ENOENT;
	/* drivers/cxl/core/memdev.c serial_show(): "%#llx" */
	uint64_t value;
	if (parse_u64(serial, 16, &value) < 0)
		return -ENOENT;
	uint64_t *serials =
	    reallocarray(device->cxl_serials, device->cxl_serial_count + 1, sizeof(*serials));
	if (!serials)
		return -ENOMEM;
	device->cxl_serials = serials;
	serials[device->cxl_serial_count++] = value;
	fprintf(out, "%s%s:%#llx", ftell(out) > 0 ? " " : "", memdev, (unsigned long long)value);
	return 0;
}

/*
 * "mem0:0x1234 mem1:0x5678": the memdevs behind @region's interleave
 * positions, from the region's own attributes (Documentation/ABI/testing/
 * sysfs-bus-cxl: regionZ/targetN names the endpoint decoder at position N).
 * libcxl 76.1 answers the same (cxl_region_get_target_decoder(), then
 * cxl_decoder_get_memdev()) only after building the whole CXL topology,
 * every port and decoder, with a bus flush at each level: under QEMU more
 * than half of a pass with nothing to do, against four reads per target.
 * NULL when the region has none (or is gone).
 */
static char *region_memdevs(const char *region, struct dax_device *device)
{
	char path[PATH_MAX], value[64];
	char *list = NULL;
	size_t size = 0;

	snprintf(path, sizeof(path), CXL_DEVICES "/%s/interleave_ways", region);
	uint64_t ways;
	if (read_attribute(path, value, sizeof(value)) < 0 || parse_u64(value, 10, &ways) < 0)
		return NULL;
	FILE *out = open_memstream(&list, &size);
	if (!out)
		return NULL;
	for (uint64_t pos = 0; pos < ways && pos < 16; pos++) {
		snprintf(path, sizeof(path), CXL_DEVICES "/%s/target%" PRIu64, region, pos);
		if (read_attribute(path, value, sizeof(value)) == 0 && value[0])
			(void)target_memdev(out, value, device);
	}
	if (fclose(out) != 0 || size == 0) {
		free(list);
		return NULL;
	}
	return list;
}

/*
 * Soft-reserved memory claimed by dax_hmem has no region in its sysfs path:
 * the region whose range holds the device's whole span is found in libcxl's
 * view of the regions under each bus's root decoders.
 */
static int region_by_address(struct cxl_ctx *cxl, struct dax_device *device)
{
	struct range whole;
	struct cxl_bus *bus;

	range_set_span(&device->mappings, &whole);
	cxl_bus_foreach (cxl, bus) {
		struct cxl_decoder *decoder;

		cxl_decoder_foreach (cxl_bus_get_port(bus), decoder) {
			struct cxl_region *region;

			cxl_region_foreach (decoder, region) {
				unsigned long long start = cxl_region_get_resource(region);
				unsigned long long size = cxl_region_get_size(region);
				if (start == ULLONG_MAX || size == 0 || size == ULLONG_MAX ||
				    whole.start < start || whole.end > start + size)
					continue;
				device->cxl_region = strdup(cxl_region_get_devname(region));
				return device->cxl_region ? 0 : -ENOMEM;
			}
		}
	}
	return 0;
}

int cxl_attribute(struct inventory *inventory, struct cxl_ctx **cxl)
{
	int r;

	if (inventory->cxl_read)
		return 0;
	inventory->cxl_read = true;

	for (size_t i = 0; i < inventory->count; i++) {
		struct dax_device *device = &inventory->devices[i];

		if (!device->managed)
			continue;
		if (!device->cxl_region) {
			/* No CXL bus (or no cxl_core) only means no CXL attribution. */
			if (!*cxl && cxl_new(cxl) >= 0)
				log_attach_cxl(*cxl);
			else if (!*cxl)
				continue;
			if ((r = region_by_address(*cxl, device)) < 0)
				return r;
		}
		if (device->cxl_region && !device->cxl_memdevs)
			device->cxl_memdevs = region_memdevs(device->cxl_region, device);
	}
	return 0;
}
