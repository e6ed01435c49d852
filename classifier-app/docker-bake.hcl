# The release build of the app's image (its app, migrate and trainer services all run it): for
# Intel/AMD (linux/amd64) and ARM (linux/arm64) machines in one go, and reproducible: two builds of
# the same commit give the same image, bit for bit. Run it in this folder, in a git clone, then load
# the image into Docker:
#   SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) docker buildx bake --allow fs.read=..
#   docker load -i classifier-app.tar
# (--allow fs.read=..: bake may read the shared model module in ../linear-classifier.)
# ../linear-classifier/reproducible/README.md explains each setting. (`docker compose build` builds
# for this machine only.)

# The one time written into the image (its creation date, and the time of every file that this
# build adds): the last commit's, so that the image depends on the source alone, not on when it
# was built. It has no default: without it, each build would stamp its own time.
variable "SOURCE_DATE_EPOCH" {
  validation {
    condition     = SOURCE_DATE_EPOCH != ""
    error_message = "SOURCE_DATE_EPOCH is not set: see the command at the top of docker-bake.hcl"
  }
}

group "default" {
  targets = ["classifier-app"]
}

target "classifier-app" {
  context   = "."
  # The shared model module, as a second build context (compose.yaml's additional_contexts).
  contexts  = { model = "../linear-classifier/src" }
  tags      = ["classifier-app"]
  platforms = ["linux/amd64", "linux/arm64"]
  args      = { SOURCE_DATE_EPOCH = SOURCE_DATE_EPOCH }
  # No provenance attestation in the image: it records when and how the build ran, which differs
  # every time. (A registry can keep one beside the image: see the lesson.)
  attest = ["type=provenance,disabled=true"]
  # An OCI archive, with the time of each file this build adds set to SOURCE_DATE_EPOCH (files
  # from your working copy carry the time of the checkout otherwise). The engine's own image store
  # cannot rewrite the times yet, so `docker load -i NAME.tar` puts the image there.
  output = ["type=oci,dest=classifier-app.tar,rewrite-timestamp=true"]
}
