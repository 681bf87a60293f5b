// estargz-writer converts a tar into an eStargz blob (or a zstd:chunked one) with the reference writer,
// github.com/containerd/stargz-snapshotter/estargz (Debian: golang-github-containerd-stargz-snapshotter-dev),
// and prints what the layer descriptor needs as JSON:
//
//	{"tocDigest": "sha256:...", "diffID": "sha256:...", "uncompressedSize": N, "annotations": {...}}
//
// Usage: estargz-writer [-format estargz|legacy|zstdchunked] [-chunk-size N] in.tar out.blob
//
// "legacy" writes the eStargz blob, then replaces its 51-byte footer with the 47-byte footer of the original
// stargz (CRFS) format: a gzip member whose extra field is "%016xSTARGZ" (no subfield header), which the
// package reads but no longer writes.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/containerd/stargz-snapshotter/estargz"
	"github.com/containerd/stargz-snapshotter/estargz/zstdchunked"
	"github.com/klauspost/compress/zstd"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "estargz-writer: "+format+"\n", args...)
	os.Exit(1)
}

func legacyFooter(tocOffset int64) []byte {
	buf := new(bytes.Buffer)
	gz, _ := gzip.NewWriterLevel(buf, gzip.NoCompression)
	gz.Header.Extra = []byte(fmt.Sprintf("%016xSTARGZ", tocOffset))
	gz.Close()
	if buf.Len() != 47 {
		fail("legacy footer is %d bytes, not 47", buf.Len())
	}
	return buf.Bytes()
}

// zstdCompression pairs the package's zstd:chunked compressor and decompressor (estargz.Compression).
type zstdCompression struct {
	*zstdchunked.Compressor
	*zstdchunked.Decompressor
}

func main() {
	format := flag.String("format", "estargz", "estargz, legacy or zstdchunked")
	chunkSize := flag.Int("chunk-size", 0, "chunk size in bytes (0: the package default, 4 MiB)")
	level := flag.Int("level", gzip.BestCompression, "gzip level")
	flag.Parse()
	if flag.NArg() != 2 {
		fail("usage: estargz-writer [-format estargz|legacy|zstdchunked] [-chunk-size N] in.tar out.blob")
	}
	in, err := os.Open(flag.Arg(0))
	if err != nil {
		fail("%v", err)
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		fail("%v", err)
	}
	opts := []estargz.Option{estargz.WithCompressionLevel(*level)}
	if *chunkSize > 0 {
		opts = append(opts, estargz.WithChunkSize(*chunkSize))
	}
	annotations := map[string]string{}
	switch *format {
	case "estargz", "legacy":
	case "zstdchunked":
		opts = append(opts, estargz.WithCompression(&zstdCompression{
			&zstdchunked.Compressor{CompressionLevel: zstd.SpeedDefault, Metadata: annotations},
			&zstdchunked.Decompressor{}}))
	default:
		fail("unknown format %q", *format)
	}
	blob, err := estargz.Build(io.NewSectionReader(in, 0, st.Size()), opts...)
	if err != nil {
		fail("build: %v", err)
	}
	var out bytes.Buffer
	if _, err := io.Copy(&out, blob); err != nil {
		fail("read blob: %v", err)
	}
	if err := blob.Close(); err != nil {
		fail("close blob: %v", err)
	}
	data := out.Bytes()
	if *format == "legacy" {
		// The 51-byte footer holds the TOC offset; the TOC member itself is kept as it is.
		footer := data[len(data)-estargz.FooterSize:]
		zr, err := gzip.NewReader(bytes.NewReader(footer))
		if err != nil {
			fail("footer: %v", err)
		}
		var off int64
		if _, err := fmt.Sscanf(string(zr.Header.Extra[4:20]), "%016x", &off); err != nil {
			fail("footer offset: %v", err)
		}
		data = append(data[:len(data)-estargz.FooterSize:len(data)-estargz.FooterSize], legacyFooter(off)...)
	}
	if err := os.WriteFile(flag.Arg(1), data, 0o644); err != nil {
		fail("%v", err)
	}
	if *format != "zstdchunked" {
		annotations[estargz.TOCJSONDigestAnnotation] = blob.TOCDigest().String()
	}
	res := map[string]interface{}{
		"tocDigest":   blob.TOCDigest().String(),
		"diffID":      blob.DiffID().String(),
		"annotations": annotations,
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(res); err != nil {
		fail("%v", err)
	}
}
