package main

// Upload keys (WeChat's 代码上传密钥): `superapp mp key create` makes an
// Ed25519 key pair here, registers the public half with the server and
// writes the private half to a key file (PEM, mode 0600) that
// `superapp upload --key-file` signs with. The server never sees the
// private key.

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"superapp/internal/miniprogram/upload"
)

func init() {
	register("mp key create", "create a mini program's upload key (for `superapp upload` in CI); writes the key file", func(args []string, stdout io.Writer) error {
		return mpKeyCreate(args, stdout, false)
	})
	register("mp key rotate", "replace a mini program's upload key (the old one stops working at once); writes the new key file", func(args []string, stdout io.Writer) error {
		return mpKeyCreate(args, stdout, true)
	})
	register("mp key show", "show a mini program's upload key: id, created, IP whitelist, last used", mpKeyShow)
	register("mp key revoke", "revoke a mini program's upload key (uploads signed with it are refused from now on)", mpKeyRevoke)
	register("mp key ip", "set the IP whitelist of a mini program's upload key (empty: any address)", mpKeyIP)
}

func keyPath(appid string) string {
	return "/admin/v1/apps/" + url.PathEscape(appid) + "/miniprogram/upload-key"
}

func mpKeyCreate(args []string, stdout io.Writer, rotate bool) error {
	name := "mp key create"
	if rotate {
		name = "mp key rotate"
	}
	fs, appid, cf := appFlags(name, name+" --appid APPID [--ip 1.2.3.4,10.0.0.0/8] [-o FILE]", stdout)
	ips := fs.String("ip", "", "comma-separated IP addresses or CIDR ranges allowed to upload with the key (default: any; on rotate: keep the old key's)")
	out := fs.String("o", "", "the key file to write (default upload-APPID.key in the current directory)")
	if err := parseApp(fs, args, appid); err != nil {
		return err
	}
	ipGiven := false
	fs.Visit(func(f *flag.Flag) { ipGiven = ipGiven || f.Name == "ip" })
	var whitelist []string
	if ipGiven || !rotate {
		whitelist = splitComma(*ips)
		if _, err := upload.CleanWhitelist(whitelist); err != nil {
			return usagef("--ip: %v", err)
		}
	}
	path := *out
	if path == "" {
		path = "upload-" + *appid + ".key"
	}
	// A new key must not overwrite some other key's file; a rotation
	// replaces the old file, which is useless from now on anyway.
	if _, err := os.Stat(path); err == nil && !rotate {
		return usagef("%s already exists; choose another -o or remove it", path)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	endpoint := keyPath(*appid)
	if rotate {
		endpoint += "/rotate"
	}
	var key upload.Key
	body := map[string]any{"public_key": base64.StdEncoding.EncodeToString(pub)}
	if whitelist != nil {
		body["ip_whitelist"] = whitelist
	}
	if err := cf.call("POST", endpoint, body, &key); err != nil {
		return err
	}
	pemBytes, err := upload.EncodeKeyFile(key.AppID, key.KeyID, priv)
	if err != nil {
		return err
	}
	if err := writeSecretFile(path, pemBytes); err != nil {
		return fmt.Errorf("upload key %s is registered but its key file could not be written (run `superapp mp key rotate --appid %s -o FILE`): %v", key.KeyID, key.AppID, err)
	}
	if *cf.json {
		return printJSON(stdout, map[string]any{"key": key, "key_file": path})
	}
	verb := "created"
	if rotate {
		verb = "rotated: the previous key no longer works;"
	}
	fmt.Fprintf(stdout, "upload key %s %s key id %s\n", *appid, verb, key.KeyID)
	fmt.Fprintf(stdout, "  key file      %s (keep it secret: whoever has it can upload code)\n", path)
	fmt.Fprintf(stdout, "  IP whitelist  %s\n", whitelistText(key.IPWhitelist))
	fmt.Fprintf(stdout, "upload with: superapp upload --key-file %s --project DIR --version 1.0.0 --desc \"…\"\n", path)
	return nil
}

func whitelistText(list []string) string {
	if len(list) == 0 {
		return "any address"
	}
	return strings.Join(list, ", ")
}

// writeSecretFile writes data to path readable by its owner only, through
// a temporary file renamed into place: path never holds half a key.
func writeSecretFile(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func mpKeyShow(args []string, stdout io.Writer) error {
	fs, appid, cf := appFlags("mp key show", "mp key show --appid APPID", stdout)
	if err := parseApp(fs, args, appid); err != nil {
		return err
	}
	return answer(cf, stdout, "GET", keyPath(*appid), nil, printKey)
}

func printKey(w io.Writer, key *upload.Key) error {
	lastUsed := "never"
	if key.LastUsedAt > 0 {
		lastUsed = time.Unix(key.LastUsedAt, 0).UTC().Format(time.RFC3339)
	}
	_, err := fmt.Fprintf(w, "appid         %s\nkey id        %s\ncreated       %s\nIP whitelist  %s\nlast used     %s\n",
		key.AppID, key.KeyID, time.Unix(key.CreatedAt, 0).UTC().Format(time.RFC3339), whitelistText(key.IPWhitelist), lastUsed)
	return err
}

func mpKeyRevoke(args []string, stdout io.Writer) error {
	fs, appid, cf := appFlags("mp key revoke", "mp key revoke --appid APPID", stdout)
	if err := parseApp(fs, args, appid); err != nil {
		return err
	}
	return answer(cf, stdout, "DELETE", keyPath(*appid), nil, func(w io.Writer, _ *json.RawMessage) error {
		_, err := fmt.Fprintf(w, "upload key of %s revoked: uploads signed with it are refused\n", *appid)
		return err
	})
}

func mpKeyIP(args []string, stdout io.Writer) error {
	fs, appid, cf := appFlags("mp key ip", "mp key ip --appid APPID --ip 1.2.3.4,10.0.0.0/8   (--ip \"\" allows any address)", stdout)
	ips := fs.String("ip", "", "comma-separated IP addresses or CIDR ranges; empty allows any address")
	if err := parseApp(fs, args, appid); err != nil {
		return err
	}
	return answer(cf, stdout, "PUT", keyPath(*appid)+"/ip-whitelist", map[string]any{"ip_whitelist": splitComma(*ips)}, printKey)
}
