package flows

import (
	_ "embed"
	"net/http"
)

// busyScriptPath is where, under the prefix, the pages load the script that
// marks a form busy while it is submitted.
const busyScriptPath = "/assets/busy.js"

//go:embed assets/busy.js
var busyScript []byte

// serveBusyScript serves the busy-state script. It is the same for every
// request and changes only with the library, so it may be cached for a day.
func serveBusyScript(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(busyScript)
}
