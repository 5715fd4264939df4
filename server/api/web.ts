/**
 * The web app's built files (`vite build` → `web/dist`), served by the API process at `/`: hashed assets
 * under `/assets/` cached for a year (their name changes with their content), `index.html` never cached,
 * and a Content-Security-Policy that allows no inline script (the build emits none). Any other GET that
 * is not an API path answers `index.html`, so the app's own routes (`/receivables/42`) load on reload.
 */
import fs from "node:fs";
import path from "node:path";
import express, { type RequestHandler } from "express";

/** Scripts and styles from our own origin only; no inline script; styles may be inline (Mantine sets CSS variables). */
export const WEB_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const API_PATH = /^\/(v1|health|ready)(\/|$)/;

/** Whether `dir` holds a built web app. */
export function hasWebBuild(dir: string): boolean {
  return fs.existsSync(path.join(dir, "index.html"));
}

export function webAppMiddleware(dir: string): RequestHandler {
  const root = path.resolve(dir);
  const indexFile = path.join(root, "index.html");
  const assets = express.static(path.join(root, "assets"), {
    immutable: true,
    maxAge: "365d",
    index: false,
    etag: false,
  });
  const files = express.static(root, { index: false, maxAge: "1h", etag: true });
  return (req, res, next) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || API_PATH.test(req.path)) {
      next();
      return;
    }
    res.setHeader("Content-Security-Policy", WEB_CONTENT_SECURITY_POLICY);
    if (req.path.startsWith("/assets/")) {
      req.url = req.url.slice("/assets".length);
      assets(req, res, next);
      return;
    }
    if (req.path !== "/" && req.path !== "/index.html" && path.extname(req.path) !== "") {
      files(req, res, next);
      return;
    }
    // The app's own routes: its shell, which then routes in the browser. Read per request so a rebuild
    // is picked up without a restart (the file is a few hundred bytes).
    fs.readFile(indexFile, (err, html) => {
      if (err !== null) {
        next();
        return;
      }
      res.setHeader("Cache-Control", "no-cache");
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.end(req.method === "HEAD" ? undefined : html);
    });
  };
}
