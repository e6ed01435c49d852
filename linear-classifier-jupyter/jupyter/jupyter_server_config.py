# JupyterLab's settings for this image (read from /etc/jupyter, so a mount over $HOME keeps them).
c = get_config()  # noqa: F821 (Jupyter provides get_config)

# Listen on all interfaces *inside* the container, or the published port could not reach it;
# compose.yaml publishes it on the host's 127.0.0.1 only.
c.ServerApp.ip = "0.0.0.0"
c.ServerApp.port = 8888
c.ServerApp.open_browser = False
# The log shows the address as seen from the host, not the container's own hostname.
c.ServerApp.custom_display_url = "http://127.0.0.1:8888"
c.ServerApp.root_dir = "/home/jovyan/work"
# New notebooks get the TypeScript kernel; the Python kernel (ipykernel, which JupyterLab needs)
# stays available.
c.MappingKernelManager.default_kernel_name = "deno"
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash", "-l"]}
# The entrypoint decides who runs Jupyter: uid 0 only when the mounted folder belongs to root
# (the host user is root), and then with no capabilities; see jupyter/entrypoint.sh.
c.ServerApp.allow_root = True
# Extensions cannot be installed on a read-only image anyway: no PyPI look-ups from the UI.
c.LabApp.extension_manager = "readonly"
