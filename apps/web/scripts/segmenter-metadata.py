"""
Writes public/models/selfie-segmentation.tflite: MediaPipe's selfie segmentation network
(@mediapipe/selfie_segmentation, Apache-2.0) with the TFLite metadata MediaPipe Tasks'
ImageSegmenter needs (how to normalize input pixels: [0, 255] -> [0, 1]). The npm package ships
the bare network only; the result is committed (250 KB), so builds need neither Python nor a
download. Run again only when the model changes:

  python3 -m venv /tmp/tfl && /tmp/tfl/bin/pip install tflite-support==0.4.4
  /tmp/tfl/bin/python apps/web/scripts/segmenter-metadata.py
"""
import os
import tempfile

from tflite_support.metadata_writers import image_segmenter, writer_utils

app = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
source = os.path.join(app, "node_modules", "@mediapipe", "selfie_segmentation", "selfie_segmentation.tflite")
target = os.path.join(app, "public", "models", "selfie-segmentation.tflite")

with tempfile.TemporaryDirectory() as tmp:
    labels = os.path.join(tmp, "labels.txt")
    with open(labels, "w") as f:
        f.write("person\n")
    writer = image_segmenter.MetadataWriter.create_for_inference(
        writer_utils.load_file(source), input_norm_mean=[0.0], input_norm_std=[255.0], label_file_paths=[labels]
    )
    writer_utils.save_file(writer.populate(), target)
print(f"wrote {target}")
