/** The container's healthcheck: exits 0 when the server answers, 1 when it does not. */
try {
  const response = await fetch('http://127.0.0.1:3000/');
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
