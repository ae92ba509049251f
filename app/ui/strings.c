/* strings.c: every user-visible string of the on-screen UI, in English and Korean. */
#include "ui/ui.h"

struct str_row {
	const char *s[UI_LANG_MAX];
};

static const struct str_row strs[UI_S_MAX] = {
	[UI_S_CALL] = { { "Call", "통화" } },
	[UI_S_FAVOURITES] = { { "Favourites", "즐겨찾기" } },
	[UI_S_DIRECTORY] = { { "Directory", "주소록" } },
	[UI_S_RECENTS] = { { "Recents", "최근 통화" } },
	[UI_S_KEYPAD] = { { "Keypad", "키패드" } },
	[UI_S_SETTINGS] = { { "Settings", "설정" } },
	[UI_S_REGISTERED] = { { "Registered", "등록됨" } },
	[UI_S_REGISTERING] = { { "Registering", "등록 중" } },
	[UI_S_NOT_REGISTERED] = { { "No account", "계정 없음" } },
	[UI_S_REG_FAILED] = { { "Registration failed", "등록 실패" } },
	[UI_S_NETWORK_UP] = { { "Connected", "연결됨" } },
	[UI_S_NETWORK_DOWN] = { { "No network", "네트워크 없음" } },
	[UI_S_INCOMING_CALL] = { { "Incoming call", "수신 전화" } },
	[UI_S_ANSWER] = { { "Answer", "받기" } },
	[UI_S_DECLINE] = { { "Decline", "거절" } },
	[UI_S_MUTE] = { { "Mute", "음소거" } },
	[UI_S_UNMUTE] = { { "Unmute", "음소거 해제" } },
	[UI_S_CAMERA_OFF_BTN] = { { "Stop video", "비디오 끄기" } },
	[UI_S_CAMERA_ON_BTN] = { { "Start video", "비디오 켜기" } },
	[UI_S_HOLD] = { { "Hold", "보류" } },
	[UI_S_RESUME] = { { "Resume", "재개" } },
	[UI_S_LAYOUT] = { { "Layout", "화면 배치" } },
	[UI_S_STATISTICS] = { { "Statistics", "통계" } },
	[UI_S_END_CALL] = { { "End", "종료" } },
	[UI_S_MIC_MUTED] = { { "Microphone muted", "마이크 음소거됨" } },
	[UI_S_CAMERA_OFF] = { { "Camera off", "카메라 꺼짐" } },
	[UI_S_ENCRYPTED] = { { "Encrypted", "암호화됨" } },
	[UI_S_NOT_ENCRYPTED] = { { "Not encrypted", "암호화 안 됨" } },
	[UI_S_POOR_NETWORK] = { { "Poor network", "네트워크 불안정" } },
	[UI_S_ON_HOLD] = { { "On hold", "보류 중" } },
	[UI_S_CONNECTING] = { { "Calling\xe2\x80\xa6", "연결 중\xe2\x80\xa6" } },
	[UI_S_NO_VIDEO] = { { "No video", "영상 없음" } },
	[UI_S_ENTER_NUMBER] = { { "Enter a number or address", "번호 또는 주소 입력" } },
	[UI_S_NO_ENTRIES] = { { "No entries", "항목 없음" } },
	[UI_S_LANGUAGE] = { { "Language", "언어" } },
	[UI_S_LANGUAGE_NAME] = { { "English", "한국어" } },
	[UI_S_SELF_VIEW] = { { "Self view", "내 화면" } },
	[UI_S_ON] = { { "On", "켜짐" } },
	[UI_S_OFF] = { { "Off", "꺼짐" } },
	[UI_S_STANDBY] = { { "Standby", "대기 모드" } },
	[UI_S_STANDBY_HINT] = { { "Press any key to wake up", "아무 키나 누르면 켜집니다" } },
	[UI_S_ROOM_NAME] = { { "Room name", "회의실 이름" } },
	[UI_S_SIP_ADDRESS] = { { "Video address", "영상 주소" } },
	[UI_S_REGISTRATION] = { { "Registration", "등록 상태" } },
	[UI_S_NETWORK] = { { "Network", "네트워크" } },
	[UI_S_VERSION] = { { "Software", "소프트웨어" } },
	[UI_S_VOLUME] = { { "Volume", "음량" } },
	[UI_S_STREAM] = { { "Stream", "스트림" } },
	[UI_S_RESOLUTION] = { { "Resolution", "해상도" } },
	[UI_S_FPS] = { { "fps", "fps" } },
	[UI_S_BITRATE] = { { "kbps", "kbps" } },
	[UI_S_LOSS] = { { "Loss", "손실" } },
	[UI_S_JITTER] = { { "Jitter", "지터" } },
	[UI_S_RTT] = { { "RTT", "왕복" } },
	[UI_S_OUTGOING] = { { "Outgoing", "발신" } },
	[UI_S_INCOMING] = { { "Incoming", "수신" } },
	[UI_S_MISSED] = { { "Missed", "부재중" } },
	[UI_S_LAYOUT_FULL] = { { "Speaker", "발표자" } },
	[UI_S_LAYOUT_PIP] = { { "Picture in picture", "PIP" } },
	[UI_S_LAYOUT_SIDE] = { { "Side by side", "나란히" } },
	[UI_S_LAYOUT_GALLERY4] = { { "Gallery 2\xc3\x97" "2", "갤러리 2\xc3\x97" "2" } },
	[UI_S_LAYOUT_GALLERY9] = { { "Gallery 3\xc3\x97" "3", "갤러리 3\xc3\x97" "3" } },
	[UI_S_HINT_HOME] = { { "\xe2\x96\xb2\xe2\x96\xbc Select    \xe2\x97\x80\xe2\x96\xb6 Tabs    OK Call",
			       "\xe2\x96\xb2\xe2\x96\xbc 선택    \xe2\x97\x80\xe2\x96\xb6 탭    OK 통화" } },
	[UI_S_HINT_SETTINGS] = { { "\xe2\x96\xb2\xe2\x96\xbc Select    OK Change    Back Return",
				   "\xe2\x96\xb2\xe2\x96\xbc 선택    OK 변경    Back 돌아가기" } },
	[UI_S_OPEN_SETTINGS] = { { "Open settings", "설정 열기" } },
	[UI_S_ME] = { { "You", "나" } },
	[UI_S_DTMF] = { { "Tones", "톤" } },
	[UI_S_VIDEO_IN] = { { "Video in", "영상 수신" } },
	[UI_S_VIDEO_OUT] = { { "Video out", "영상 송신" } },
	[UI_S_AUDIO_IN] = { { "Audio in", "음성 수신" } },
	[UI_S_AUDIO_OUT] = { { "Audio out", "음성 송신" } },
	[UI_S_CONTENT_IN] = { { "Content in", "공유 화면 수신" } },
};

const char *ui_str(enum ui_lang lang, enum ui_str s)
{
	const char *r;

	if ((unsigned)s >= UI_S_MAX)
		return "";
	if ((unsigned)lang >= UI_LANG_MAX)
		lang = UI_LANG_EN;
	r = strs[s].s[lang];
	if (!r)
		r = strs[s].s[UI_LANG_EN];
	return r ? r : "";
}
