// SPDX-License-Identifier: GPL-2.0
/* bulwark show: a policy image in readable form (policy YAML) and as JSON. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include "image_show.h"
#include "policy.h"
#include "yaml_quote.h"

void image_rule_path(const struct bulwark_image *image, const struct bulwark_image_path_rule *r,
		     char *buf, size_t size)
{
	const char *path = bulwark_image_string(image, r->path);
	bool root = !strcmp(path, "/");

	switch (r->match) {
	case BULWARK_MATCH_SUBTREE:
		snprintf(buf, size, "%s%s", path, root ? "" : "/");
		break;
	case BULWARK_MATCH_GLOB:
		snprintf(buf, size, "%s/%s", root ? "" : path,
			 bulwark_image_string(image, r->pattern));
		break;
	default:
		snprintf(buf, size, "%s", path);
	}
}

void image_rule_cidr(const struct bulwark_image_net_rule *r, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(r->family == BULWARK_FAMILY_INET ? AF_INET : AF_INET6, r->addr, addr,
		  sizeof(addr));
	snprintf(buf, size, "%s/%u", addr, r->prefix_len);
}

static void hex(FILE *out, const uint8_t *bytes, size_t len)
{
	while (len--)
		fprintf(out, "%02x", *bytes++);
}

static void access_list(FILE *out, uint8_t class, uint16_t access, bool json)
{
	const char *sep = "";
	uint16_t bit;

	fputc('[', out);
	for (bit = 1; bit && bit <= access; bit <<= 1) {
		if (!(access & bit))
			continue;
		fprintf(out, json ? "%s\"%s\"" : "%s%s", sep, access_bit_name(class, bit));
		sep = ", ";
	}
	fputc(']', out);
}

/* --- YAML ------------------------------------------------------------------------ */

static void yaml_path_entries(FILE *out, const struct bulwark_image *image, uint16_t policy,
			      uint8_t class, uint8_t action, const char *indent, bool *any)
{
	char path[BULWARK_PATH_MAX + 2];
	uint32_t i;

	for (i = 0; i < image->path_rule_count; i++) {
		const struct bulwark_image_path_rule *r = &image->path_rules[i];

		if (r->policy != policy || r->class != class || r->action != action)
			continue;
		if (any)
			*any = true;
		image_rule_path(image, r, path, sizeof(path));
		fprintf(out, "%s- %s: ", indent, class == BULWARK_CLASS_UNIX ? "unix" : "path");
		yaml_quoted(out, path);
		fprintf(out, "  # rule %u\n", r->rule_id);
		if (r->digest) {
			fprintf(out, "%s  sha256: ", indent);
			hex(out, image->digests + (r->digest - 1) * BULWARK_DIGEST_SIZE,
			    BULWARK_DIGEST_SIZE);
			fputc('\n', out);
		}
		if (class == BULWARK_CLASS_FILE) {
			fprintf(out, "%s  access: ", indent);
			access_list(out, class, r->access, false);
			fprintf(out, "\n%s  action: %s\n", indent, action_name(r->action));
		}
	}
}

static bool has_rules(const struct bulwark_image *image, uint16_t policy, uint8_t direction,
		      uint8_t action)
{
	uint8_t unix_access =
		direction == BULWARK_EGRESS ? BULWARK_ACCESS_CONNECT : BULWARK_ACCESS_BIND;
	uint32_t i;

	for (i = 0; i < image->net_rule_count; i++)
		if (image->net_rules[i].policy == policy &&
		    image->net_rules[i].direction == direction &&
		    image->net_rules[i].action == action)
			return true;
	for (i = 0; i < image->path_rule_count; i++)
		if (image->path_rules[i].policy == policy &&
		    image->path_rules[i].class == BULWARK_CLASS_UNIX &&
		    image->path_rules[i].access == unix_access &&
		    image->path_rules[i].action == action)
			return true;
	return false;
}

static void yaml_direction(FILE *out, const struct bulwark_image *image, uint16_t policy,
			   uint8_t direction)
{
	uint8_t class = direction == BULWARK_EGRESS ? BULWARK_CLASS_EGRESS : BULWARK_CLASS_INGRESS;
	uint16_t unix_access =
		direction == BULWARK_EGRESS ? BULWARK_ACCESS_CONNECT : BULWARK_ACCESS_BIND;
	char cidr[64];
	uint8_t action;
	uint32_t i;

	fprintf(out, "    %s:\n      default: %s\n", class_name(class),
		action_name(image->policies[policy].defaults[class]));
	for (action = 0; action < __BULWARK_ACTION_MAX; action++) {
		if (!has_rules(image, policy, direction, action))
			continue;
		fprintf(out, "      %s:\n", action_name(action));
		for (i = 0; i < image->net_rule_count; i++) {
			const struct bulwark_image_net_rule *r = &image->net_rules[i];

			if (r->policy != policy || r->direction != direction || r->action != action)
				continue;
			image_rule_cidr(r, cidr, sizeof(cidr));
			fprintf(out, "        - cidr: %s  # rule %u\n", cidr, r->rule_id);
			fprintf(out, "          protocol: %s\n", protocol_name(r->protocol));
			if (r->port_min == r->port_max)
				fprintf(out, "          ports: [%u]\n", r->port_min);
			else if (r->port_min != 0 || r->port_max != 65535)
				fprintf(out, "          ports: [\"%u-%u\"]\n", r->port_min,
					r->port_max);
		}
		for (i = 0; i < image->path_rule_count; i++) {
			const struct bulwark_image_path_rule *r = &image->path_rules[i];
			char path[BULWARK_PATH_MAX + 2];

			if (r->policy != policy || r->class != BULWARK_CLASS_UNIX ||
			    r->access != unix_access || r->action != action)
				continue;
			image_rule_path(image, r, path, sizeof(path));
			fprintf(out, "        - unix: ");
			yaml_quoted(out, path);
			fprintf(out, "  # rule %u\n", r->rule_id);
		}
	}
}

void image_show_yaml(FILE *out, const struct bulwark_image *image)
{
	uint16_t i;

	fprintf(out, "# bulwark policy image: ABI %u, %llu bytes, checksum 0x%08x\n",
		BULWARK_IMAGE_ABI, (unsigned long long)image->size,
		((const struct bulwark_image_header *)image->base)->checksum);
	fprintf(out, "# %u policies, %u path rules, %u network rules\n", image->policy_count,
		image->path_rule_count, image->net_rule_count);
	for (i = 0; i < image->policy_count; i++) {
		const struct bulwark_image_policy *p = &image->policies[i];
		bool any = false;

		fprintf(out, "---\napiVersion: bulwark/v1\nkind: Policy\nmetadata:\n  name: %s\n",
			bulwark_image_string(image, p->name));
		fprintf(out, "spec:\n  selector:\n    %s: ", selector_key(p->selector_kind));
		if (p->selector_kind == BULWARK_SELECTOR_HOST)
			fprintf(out, "true\n");
		else {
			yaml_quoted(out, bulwark_image_string(image, p->selector));
			fputc('\n', out);
		}
		fprintf(out, "  mode: %s\n", mode_name(p->mode));
		fprintf(out, "  exec:\n    default: %s\n",
			action_name(p->defaults[BULWARK_CLASS_EXEC]));
		for (uint8_t action = 0; action < __BULWARK_ACTION_MAX; action++) {
			any = false;
			for (uint32_t j = 0; j < image->path_rule_count && !any; j++)
				any = image->path_rules[j].policy == i &&
				      image->path_rules[j].class == BULWARK_CLASS_EXEC &&
				      image->path_rules[j].action == action;
			if (!any)
				continue;
			fprintf(out, "    %s:\n", action_name(action));
			yaml_path_entries(out, image, i, BULWARK_CLASS_EXEC, action, "      ",
					  NULL);
		}
		fprintf(out, "  file:\n    default: %s\n",
			action_name(p->defaults[BULWARK_CLASS_FILE]));
		any = false;
		for (uint32_t j = 0; j < image->path_rule_count && !any; j++)
			any = image->path_rules[j].policy == i &&
			      image->path_rules[j].class == BULWARK_CLASS_FILE;
		if (any) {
			fprintf(out, "    rules:\n");
			for (uint8_t action = 0; action < __BULWARK_ACTION_MAX; action++)
				yaml_path_entries(out, image, i, BULWARK_CLASS_FILE, action,
						  "      ", NULL);
		}
		fprintf(out, "  network:\n");
		yaml_direction(out, image, i, BULWARK_EGRESS);
		yaml_direction(out, image, i, BULWARK_INGRESS);
	}
}

/* --- JSON ------------------------------------------------------------------------ */

static void json_path_rule(FILE *out, const struct bulwark_image *image,
			   const struct bulwark_image_path_rule *r)
{
	char path[BULWARK_PATH_MAX + 2];

	image_rule_path(image, r, path, sizeof(path));
	fprintf(out, "{\"id\":%u,\"class\":\"%s\",\"match\":\"%s\",\"path\":", r->rule_id,
		class_name(r->class), match_name(r->match));
	yaml_quoted(out, path);
	fprintf(out, ",\"access\":");
	access_list(out, r->class, r->access, true);
	fprintf(out, ",\"action\":\"%s\"", action_name(r->action));
	if (r->digest) {
		fprintf(out, ",\"sha256\":\"");
		hex(out, image->digests + (r->digest - 1) * BULWARK_DIGEST_SIZE,
		    BULWARK_DIGEST_SIZE);
		fputc('"', out);
	}
	fputc('}', out);
}

static void json_net_rule(FILE *out, const struct bulwark_image_net_rule *r)
{
	char cidr[64];

	image_rule_cidr(r, cidr, sizeof(cidr));
	fprintf(out,
		"{\"id\":%u,\"class\":\"%s\",\"cidr\":\"%s\",\"protocol\":\"%s\","
		"\"port_min\":%u,\"port_max\":%u,\"action\":\"%s\"}",
		r->rule_id, r->direction == BULWARK_EGRESS ? "egress" : "ingress", cidr,
		protocol_name(r->protocol), r->port_min, r->port_max, action_name(r->action));
}

void image_show_json(FILE *out, const struct bulwark_image *image)
{
	uint32_t i, j;
	const char *sep;

	fprintf(out, "{\"abi\":%u,\"size\":%llu,\"checksum\":\"0x%08x\",\"policies\":[",
		BULWARK_IMAGE_ABI, (unsigned long long)image->size,
		((const struct bulwark_image_header *)image->base)->checksum);
	for (i = 0; i < image->policy_count; i++) {
		const struct bulwark_image_policy *p = &image->policies[i];

		fprintf(out, "%s{\"name\":", i ? "," : "");
		yaml_quoted(out, bulwark_image_string(image, p->name));
		fprintf(out, ",\"selector\":{\"kind\":\"%s\",\"value\":",
			selector_key(p->selector_kind));
		if (p->selector_kind == BULWARK_SELECTOR_HOST)
			fprintf(out, "true");
		else
			yaml_quoted(out, bulwark_image_string(image, p->selector));
		fprintf(out,
			"},\"mode\":\"%s\",\"defaults\":{\"exec\":\"%s\",\"file\":\"%s\","
			"\"egress\":\"%s\",\"ingress\":\"%s\"},\"rules\":[",
			mode_name(p->mode), action_name(p->defaults[BULWARK_CLASS_EXEC]),
			action_name(p->defaults[BULWARK_CLASS_FILE]),
			action_name(p->defaults[BULWARK_CLASS_EGRESS]),
			action_name(p->defaults[BULWARK_CLASS_INGRESS]));
		sep = "";
		for (j = 0; j < image->path_rule_count; j++) {
			if (image->path_rules[j].policy != i)
				continue;
			fputs(sep, out);
			json_path_rule(out, image, &image->path_rules[j]);
			sep = ",";
		}
		for (j = 0; j < image->net_rule_count; j++) {
			if (image->net_rules[j].policy != i)
				continue;
			fputs(sep, out);
			json_net_rule(out, &image->net_rules[j]);
			sep = ",";
		}
		fprintf(out, "]}");
	}
	fprintf(out, "]}\n");
}
