package corpus

import (
	"context"
	"fmt"
	"os"
	"testing"
)

func TestPDFDump(t *testing.T) {
	f := os.Getenv("PDFDUMP")
	if f == "" {
		t.Skip()
	}
	data, _ := os.ReadFile(f)
	doc, w, err := parsePDF(context.Background(), "x", f, data, Options{})
	fmt.Println("title:", doc.Title, "authors:", doc.Authors, "date:", doc.Published, "warn:", w, "err:", err)
	fmt.Println("sections:", doc.Sections)
	for _, p := range doc.Passages {
		fmt.Printf("[p.%d %s] %s\n", p.Page, p.Section, p.Text)
	}
}
