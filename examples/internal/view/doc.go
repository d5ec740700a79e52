// Package view serves a model to the browser: the graph drawn level by
// level with inferred types on its edges, and edits made from the page as
// steps of an onnxgraph.Script (the command line's "onnxgraph view").
//
// # Files
//
//   - tree.go: the hierarchy of boxes: node names split at "/" (or ".")
//     into groups, If/Loop/Scan bodies below their node, long lists chunked.
//   - level.go: one level of the hierarchy, given the expanded groups: the
//     boxes, the flow between them aggregated server-side, their text.
//   - layout.go: the layered layout of a level (left to right or top-down).
//   - session.go: the model as edited, its history (undo replays the script
//     from the file), save, diff against the opened file; the script's
//     operations are the library's and package simplify's (ScriptOps).
//   - details.go: the side panel's view of a box, and search.
//   - server.go: the HTTP routes, the per-run token every request carries,
//     server-sent events that keep every tab on one history.
//   - assets/: the page (plain HTML, CSS and JavaScript, embedded).
//
// The server listens on 127.0.0.1 unless told otherwise; every request
// must carry the token printed with the address (as a header, or as the
// query parameter "token" on GET), so no other web page can drive it.
package view
