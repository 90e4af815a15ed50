typedef int ferry_placeholder_image;
