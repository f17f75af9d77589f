package briefbot

import "testing"

func TestPlace(t *testing.T) {
	for _, tc := range []struct {
		paragraph, page int
		want            string
	}{
		{2, 0, "¶2"},
		{2, 4, "p. 4"},
		{0, 4, "p. 4"},
		{0, 0, ""},
	} {
		if got := Place(tc.paragraph, tc.page); got != tc.want {
			t.Errorf("Place(%d, %d) = %q, want %q", tc.paragraph, tc.page, got, tc.want)
		}
	}
}
