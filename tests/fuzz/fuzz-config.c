// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The configuration, main file and one drop-in: the input is split at its
 * first NUL byte. A parse that fails leaves the configuration as it was; one
 * that succeeds gives values inside their enums.
 */
#include "config.h"
#include "fuzz-util.h"
#include "parse-error.h"

#include <string.h>

static bool same(const struct config *a, const struct config *b)
{
	if (a->online_type != b->online_type || a->after_init != b->after_init ||
	    a->when_tdx_disabled != b->when_tdx_disabled || a->state_pinned != b->state_pinned ||
	    a->take_over_auto_online != b->take_over_auto_online ||
	    a->exclude_count != b->exclude_count)
		return false;
	for (size_t i = 0; i < a->exclude_count; i++)
		if (strcmp(a->exclude[i], b->exclude[i]) != 0)
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t main_size = nul ? (size_t)(nul - data) : size;
	const struct config_text texts[] = {
	    {"main", (const char *)data, main_size},
	    {"drop-in", nul ? (const char *)nul + 1 : "", nul ? size - main_size - 1 : 0},
	};
	struct parse_error error = {0};
	struct config config, before;

	config_init(&config);
	config_init(&before);
	if (config_parse(&config, texts, 1, &error) < 0) {
		fuzz_assert(error.message[0] != '\0');
		fuzz_assert(same(&config, &before)); /* still the defaults */
		config_clear(&config);
		return 0;
	}
	/* the drop-in over the main file: on error, the main file's result stays */
	fuzz_assert(config_parse(&before, texts, 1, &error) == 0);
	if (nul && config_parse(&config, texts, 2, &error) < 0)
		fuzz_assert(same(&config, &before));
	fuzz_assert(config.exclude_serial_count <= config.exclude_count);
	fuzz_assert(online_type_to_string(config.online_type) != NULL);
	fuzz_assert(after_init_to_string(config.after_init) != NULL);
	fuzz_assert(when_tdx_disabled_to_string(config.when_tdx_disabled) != NULL);
	config_clear(&config);
	config_clear(&before);
	return 0;
}
