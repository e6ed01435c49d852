/** A healthcheck for the model server: exits 0 once it answers on /health, 1 before. */
try {
  const response = await fetch('http://127.0.0.1:3000/health');
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
