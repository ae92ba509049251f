/* terminal_conf.c: the terminal's configuration table (STYLE G13): the one
 * list of settings, their types, defaults, limits and documentation. The
 * default file rootfs/etc/rakwon-terminal/terminal.conf is generated from it
 * (rakwon-terminal --print-default-config). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/base/cleanup.h"
#include "terminal/terminal.h"

static const char *const on_off[] = { "off", "on", NULL };
static const char *const enc_policy[] = { "required", "preferred", "off", NULL };
static const char *const languages[] = { "en", "ko", NULL };
static const char *const profiles[] = { "baseline", "high", NULL };
static const char *const transports[] = { "udp", "tcp", "tls", NULL };

static int v_sip_uri(const char *v, char *err, size_t n)
{
	if (strncmp(v, "sip:", 4) != 0 && strncmp(v, "sips:", 5) != 0) {
		snprintf(err, n, "must be a sip: or sips: URI");
		return -EINVAL;
	}
	if (!strchr(v, '@')) {
		snprintf(err, n, "must have a user part (user@host)");
		return -EINVAL;
	}
	return 0;
}

static int v_hostport_or_empty(const char *v, char *err, size_t n)
{
	for (const char *p = v; *p; p++)
		if (*p == ' ' || *p == '\t' || *p == ',' || *p == ';') {
			snprintf(err, n, "must be host[:port] without spaces");
			return -EINVAL;
		}
	return 0;
}

static int v_ptime(const char *v, char *err, size_t n)
{
	if (strcmp(v, "10") != 0 && strcmp(v, "20") != 0) {
		snprintf(err, n, "must be 10 or 20");
		return -EINVAL;
	}
	return 0;
}

static int v_printable(const char *v, char *err, size_t n)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(err, n, "must not contain control characters");
			return -EINVAL;
		}
	return 0;
}

#define FLAG_P (CONF_PROVISIONED)
#define FLAG_RP (CONF_RUNTIME | CONF_PROVISIONED)

const struct conf_def terminal_conf_defs[] = {
	{ "room.name", CONF_STR, "Meeting Room", 0, 0, NULL, v_printable, FLAG_RP,
	  "Name of the room, shown on screen and sent as the SIP display name\n"
	  "when sip.display_name is empty." },
	{ "ui.language", CONF_ENUM, "en", 0, 0, languages, NULL, FLAG_RP,
	  "Language of the on-screen interface." },
	{ "log.level", CONF_STR, "info", 0, 0, NULL, v_printable, CONF_RUNTIME,
	  "Log levels: a default level and per-topic levels, e.g. \"info,sip=debug\".\n"
	  "Levels: err, warn, info, debug." },
	{ "sip.aor", CONF_STR, "sip:room@127.0.0.1", 0, 0, NULL, v_sip_uri, FLAG_P,
	  "The room's SIP address of record." },
	{ "sip.display_name", CONF_STR, "", 0, 0, NULL, v_printable, FLAG_RP,
	  "Display name in From headers (empty: room.name)." },
	{ "sip.registrar", CONF_STR, "", 0, 0, NULL, v_hostport_or_empty, FLAG_P,
	  "Registrar as host[:port]; empty: do not register (direct calls only)." },
	{ "sip.proxy", CONF_STR, "", 0, 0, NULL, v_hostport_or_empty, FLAG_P,
	  "Outbound proxy as host[:port]; empty: send to the registrar, or directly." },
	{ "sip.transport", CONF_ENUM, "udp", 0, 0, transports, NULL, FLAG_P,
	  "Transport to the registrar and proxy." },
	{ "sip.username", CONF_STR, "", 0, 0, NULL, v_printable, FLAG_P,
	  "Authentication user name (empty: the user part of sip.aor)." },
	{ "sip.password", CONF_STR, "", 0, 0, NULL, NULL, CONF_SECRET | FLAG_P,
	  "Authentication password. Never logged." },
	{ "sip.listen", CONF_STR, "127.0.0.1", 0, 0, NULL, v_hostport_or_empty, CONF_IMMUTABLE,
	  "Local address for SIP and media." },
	{ "sip.udp_port", CONF_INT, "5060", 0, 65535, NULL, NULL, CONF_IMMUTABLE,
	  "SIP UDP port (0: off)." },
	{ "sip.tcp_port", CONF_INT, "5060", 0, 65535, NULL, NULL, CONF_IMMUTABLE,
	  "SIP TCP port (0: off)." },
	{ "sip.tls_port", CONF_INT, "5061", 0, 65535, NULL, NULL, CONF_IMMUTABLE,
	  "SIP TLS port (0: off)." },
	{ "sip.tls_ca", CONF_STR, "", 0, 0, NULL, NULL, FLAG_P,
	  "PEM file of the CA that signs SIP servers' certificates." },
	{ "sip.tls_cert", CONF_STR, "", 0, 0, NULL, NULL, FLAG_P,
	  "PEM file of this terminal's TLS certificate (for the TLS listener)." },
	{ "sip.tls_key", CONF_STR, "", 0, 0, NULL, NULL, CONF_SECRET | FLAG_P,
	  "PEM file of this terminal's TLS private key." },
	{ "sip.register_expires", CONF_INT, "600", 60, 86400, NULL, NULL, FLAG_P,
	  "Registration lifetime asked for, in seconds (refreshed before it ends)." },
	{ "sip.session_expires", CONF_INT, "1800", 90, 86400, NULL, NULL, FLAG_P,
	  "RFC 4028 session timer, in seconds." },
	{ "call.auto_answer", CONF_ENUM, "off", 0, 0, on_off, NULL, FLAG_RP,
	  "Answer incoming calls automatically." },
	{ "call.auto_answer_delay_ms", CONF_INT, "2000", 0, 60000, NULL, NULL, FLAG_RP,
	  "Ringing time before an automatic answer." },
	{ "call.auto_answer_muted", CONF_BOOL, "no", 0, 0, NULL, NULL, FLAG_RP,
	  "Start automatically answered calls with the microphone muted." },
	{ "call.dnd", CONF_BOOL, "no", 0, 0, NULL, NULL, FLAG_RP,
	  "Do not disturb: reject incoming calls with 486 Busy Here." },
	{ "call.history_size", CONF_INT, "50", 0, 1000, NULL, NULL, FLAG_P,
	  "Calls kept in the call history." },
	{ "media.encryption", CONF_ENUM, "required", 0, 0, enc_policy, NULL, FLAG_RP,
	  "Media encryption (SRTP with SDES keys, sent only over TLS):\n"
	  "required: calls without encryption are refused; preferred: offered,\n"
	  "unencrypted accepted; off: never offered." },
	{ "media.rtp_port_min", CONF_INT, "20000", 1024, 65534, NULL, NULL, FLAG_P,
	  "Lowest UDP port for RTP." },
	{ "video.width", CONF_INT, "1280", 160, 1920, NULL, NULL, FLAG_P, "Sent video width." },
	{ "video.height", CONF_INT, "720", 90, 1080, NULL, NULL, FLAG_P, "Sent video height." },
	{ "video.fps", CONF_INT, "30", 5, 60, NULL, NULL, FLAG_P, "Sent frame rate." },
	{ "video.bitrate_kbps", CONF_INT, "2000", 64, 20000, NULL, NULL, FLAG_RP,
	  "Video bitrate." },
	{ "video.profile", CONF_ENUM, "baseline", 0, 0, profiles, NULL, FLAG_P,
	  "H.264 profile offered: baseline (constrained baseline, best interop)\n"
	  "or high (used only when the far end accepts it)." },
	{ "audio.ptime", CONF_STR, "20", 0, 0, NULL, v_ptime, FLAG_P,
	  "Opus frame duration in ms: 20 or 10." },
	{ "audio.bitrate", CONF_INT, "64000", 6000, 510000, NULL, NULL, FLAG_P,
	  "Opus bitrate in bit/s." },
	{ "audio.fec", CONF_BOOL, "yes", 0, 0, NULL, NULL, FLAG_P, "Opus in-band FEC." },
	{ "audio.dtx", CONF_BOOL, "no", 0, 0, NULL, NULL, FLAG_P, "Opus DTX." },
	/* room audio processing (app/audio, issue 8) */
	{ "audio.aec", CONF_BOOL, "no", 0, 0, NULL, NULL, FLAG_P,
	  "Acoustic echo cancellation of the microphone, with what the speaker\n"
	  "plays as reference (turn on for a loudspeaker and an open microphone)." },
	{ "audio.ns", CONF_BOOL, "no", 0, 0, NULL, NULL, FLAG_P,
	  "Noise suppression of the microphone." },
	{ "audio.agc", CONF_BOOL, "no", 0, 0, NULL, NULL, FLAG_P,
	  "Automatic gain control of the microphone." },
	{ "dev.camera", CONF_STR, "testsrc", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Video source driver: v4l2, testsrc or y4m." },
	{ "dev.camera_args", CONF_STR, "", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Options of the video source driver, e.g. \"device=/dev/video0\"." },
	{ "dev.microphone", CONF_STR, "tone", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Audio source driver: alsa, wav or tone." },
	{ "dev.microphone_args", CONF_STR, "", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Options of the audio source driver, e.g. \"device=hw:0,0\"." },
	{ "dev.display", CONF_STR, "null", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Display driver: kms, png, y4m or null (with ui.enabled the composed\n"
	  "screen, else the far-end video only)." },
	{ "dev.display_args", CONF_STR, "", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Options of the video sink driver, e.g. \"path=/tmp/farend.png\"." },
	{ "dev.encoder", CONF_STR, "x264", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Video encoder driver: x264 (software) or v4l2m2m (the board's\n"
	  "hardware H.264 encoder, e.g. bcm2835-codec on a Raspberry Pi 4)." },
	{ "dev.encoder_args", CONF_STR, "", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Options of the video encoder driver, e.g. \"codec=H264,name=bcm2835-codec-encode\"." },
	{ "dev.decoder", CONF_STR, "lavc", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Video decoder driver: lavc (libavcodec) or v4l2m2m (hardware)." },
	{ "dev.decoder_args", CONF_STR, "", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Options of the video decoder driver, e.g. \"threads=2\"." },
	{ "dev.speaker", CONF_STR, "null", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Audio sink driver: alsa, wav or null." },
	{ "dev.speaker_args", CONF_STR, "", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Options of the audio sink driver." },
	/* --- on-screen UI, remote control, standby (terminal_ui.c) --- */
	{ "ui.enabled", CONF_BOOL, "yes", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Draw the on-screen interface on dev.display: the terminal composes the\n"
	  "far end, the self view and the UI. no: the far end goes straight to\n"
	  "dev.display (no UI)." },
	{ "ui.width", CONF_INT, "1280", 320, 3840, NULL, NULL, CONF_IMMUTABLE,
	  "Width of the composed screen, unless the display reports its mode (kms:\n"
	  "the screen is composed at the mode's size; the mode asked for is\n"
	  "ui.width x ui.height unless dev.display_args has mode=WxH)." },
	{ "ui.height", CONF_INT, "720", 180, 2160, NULL, NULL, CONF_IMMUTABLE,
	  "Height of the composed screen (see ui.width)." },
	{ "ui.fps", CONF_INT, "15", 1, 60, NULL, NULL, CONF_IMMUTABLE,
	  "Most screens composed per second (only when something changed)." },
	{ "ui.standby_s", CONF_INT, "600", 0, 86400, NULL, NULL, FLAG_RP,
	  "Seconds without a call or a key press before standby (screen off,\n"
	  "TV to standby over HDMI-CEC); 0: never." },
	{ "ui.controls_hide_s", CONF_INT, "10", 0, 3600, NULL, NULL, FLAG_RP,
	  "Seconds without a key before the in-call control bar hides (a key\n"
	  "brings it back); 0: always shown." },
	{ "ui.ring", CONF_BOOL, "yes", 0, 0, NULL, NULL, FLAG_RP,
	  "Play a ring tone on dev.speaker while a call rings (at the terminal's\n"
	  "volume)." },
	{ "ui.keymap", CONF_STR, "/etc/rakwon-terminal/keymap", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Remote-control keymap: lines \"KEY_NAME action\" (actions: up, down, left,\n"
	  "right, ok, back, call, hangup, vol_up, vol_down, mute, home, digit0..9,\n"
	  "star, hash)." },
	{ "ui.favourites", CONF_STR, "", 0, 0, NULL, v_printable, FLAG_RP,
	  "Favourites on the home screen: entries \"Name <sip:uri>\" separated by\n"
	  "commas (they are also listed in the directory)." },
	{ "ui.test_time", CONF_STR, "", 0, 0, NULL, v_printable, CONF_IMMUTABLE,
	  "Test hook: show this text as the clock (e.g. \"09:41\"), no date, and\n"
	  "call durations and statistics frozen at 0; empty: real time." },
	{ "dev.remote", CONF_STR, "evdev", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Remote control input: evdev (event devices), fifo (key names written\n"
	  "to a FIFO, for tests) or none." },
	{ "dev.remote_args", CONF_STR, "", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Options: \"dir=/dev/input\" for evdev, \"path=/run/rakwon-keys\" for fifo." },
	{ "dev.cec", CONF_STR, "auto", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "HDMI-CEC adapter: auto (the first /dev/cecN that can be a source),\n"
	  "a device path, or none." },
	/* --- end of the on-screen UI block --- */
	{ "directory", CONF_STR, "", 0, 0, NULL, v_printable, FLAG_RP,
	  "The room directory: entries \"Name <sip:uri>\" separated by commas\n"
	  "(usually provisioned)." },
	{ "prov.server", CONF_STR, "", 0, 0, NULL, v_printable, CONF_IMMUTABLE,
	  "Provisioning server URL (https://host:port); empty: not provisioned." },
	{ "prov.serial", CONF_STR, "", 0, 0, NULL, v_printable, CONF_IMMUTABLE,
	  "Device serial number presented to the provisioning server." },
	{ "prov.token", CONF_STR, "", 0, 0, NULL, NULL, CONF_SECRET | CONF_IMMUTABLE,
	  "One-time enrollment token (empty: enrollment by an approved serial)." },
	{ "prov.ca", CONF_STR, "", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "CA of the provisioning server (empty: pinned at first contact)." },
	{ "prov.poll_s", CONF_INT, "300", 1, 86400, NULL, NULL, CONF_IMMUTABLE,
	  "Seconds between configuration polls (with +-10 % jitter)." },
	{ "ctrl.https_port", CONF_INT, "0", 0, 65535, NULL, NULL, CONF_IMMUTABLE,
	  "Port of the web touch panel and the JSON-RPC WebSocket API (0: off).\n"
	  "HTTPS with sip.tls_cert/sip.tls_key; plain HTTP only on a loopback address." },
	{ "ctrl.https_listen", CONF_STR, "127.0.0.1", 0, 0, NULL, v_hostport_or_empty, CONF_IMMUTABLE,
	  "Address of the web panel and WebSocket API." },
	{ "ctrl.credentials", CONF_STR, "/etc/rakwon-terminal/credentials", 0, 0, NULL, NULL,
	  CONF_IMMUTABLE, "Credentials of the admin, integrator and user roles (user:role:hash\n"
	  "lines). There is no default password: a role without a line cannot log in." },
	{ "ctrl.panel_dir", CONF_STR, "/usr/share/rakwon-terminal/panel", 0, 0, NULL, NULL,
	  CONF_IMMUTABLE, "Files of the web touch panel." },
	{ "ctrl.socket", CONF_STR, "/run/rakwon-terminal.sock", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Local control API socket (JSON-RPC 2.0, one message per line)." },
	{ "state.dir", CONF_STR, "/var/lib/rakwon-terminal", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Directory for the call history and other state." },
	{ "sys.reboot_cmd", CONF_STR, "/sbin/reboot", 0, 0, NULL, NULL, CONF_IMMUTABLE,
	  "Command (run by /bin/sh in place of the terminal, after it stopped\n"
	  "cleanly) for the control API's reboot command (admin role). Only the\n"
	  "configuration file sets it, never the API or provisioning." },
};

const size_t terminal_conf_ndefs = sizeof(terminal_conf_defs) / sizeof(terminal_conf_defs[0]);
