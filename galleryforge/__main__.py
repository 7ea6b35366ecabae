from galleryforge.cli.main import run

run()
