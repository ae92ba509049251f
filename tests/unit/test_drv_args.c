/* test_drv_args.c: driver option strings (drv_arg) and evdev key names (input_key_code). */
#include <errno.h>
#include <linux/input-event-codes.h>

#include "drv/media_drv.h"
#include "input/input.h"
#include "test.h"

TEST(drv_arg_plain)
{
	char v[32];

	CHECK_OK(drv_arg("device=/dev/video0,buffers=6", "device", v, sizeof(v)));
	CHECK_STR(v, "/dev/video0");
	CHECK_EQ(drv_arg_int("device=/dev/video0,buffers=6", "buffers", 4), 6);
	CHECK_EQ(drv_arg_int("device=/dev/video0", "buffers", 4), 4);
	CHECK_EQ(drv_arg("a=1", "b", v, sizeof(v)), -ENOENT);
	CHECK_EQ(drv_arg("", "a", v, sizeof(v)), -ENOENT);
	CHECK_EQ(drv_arg("a=0123456789", "a", v, 4), -ENAMETOOLONG);
}

/* ALSA names carry commas: a segment without '=' continues the value */
TEST(drv_arg_commas_in_values)
{
	char v[64];
	const char *a = "device=hw:Loopback,1,0,period_ms=10,mixer=Master";

	CHECK_OK(drv_arg(a, "device", v, sizeof(v)));
	CHECK_STR(v, "hw:Loopback,1,0");
	CHECK_EQ(drv_arg_int(a, "period_ms", 0), 10);
	CHECK_OK(drv_arg(a, "mixer", v, sizeof(v)));
	CHECK_STR(v, "Master");
	CHECK_OK(drv_arg("device=hw:0,0", "device", v, sizeof(v)));
	CHECK_STR(v, "hw:0,0");
	CHECK_EQ(drv_arg("x,y=1", "x", v, sizeof(v)), -ENOENT);
}

TEST(input_key_names)
{
	CHECK_EQ(input_key_code("KEY_UP"), KEY_UP);
	CHECK_EQ(input_key_code("KEY_OK"), KEY_OK);
	CHECK_EQ(input_key_code("BTN_LEFT"), BTN_LEFT);
	CHECK_EQ(input_key_code("0x160"), 0x160);
	CHECK_EQ(input_key_code("113"), KEY_MUTE);
	CHECK_EQ(input_key_code("KEY_NOPE"), -EINVAL);
	CHECK_EQ(input_key_code("99999"), -EINVAL);
	CHECK_EQ(input_key_code(""), -EINVAL);
}
