// SPDX-License-Identifier: GPL-2.0
/*
 * Says whether regions of a screenshot show something: for each region NAME:X,Y,W,H (CSS pixels,
 * one per PNG pixel), the share of pixels that are not near-white and of pixels in colour. A
 * chart drawn in that region has both; a blank or missing one has neither. Exit 1 when a region
 * is blank, lies outside the image, or the image cannot be read.
 * Usage: pngregions SCREENSHOT.png NAME:X,Y,W,H...
 */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A chart region with less ink than this is blank; with no colour at all, it drew no series. */
#define MIN_INK_SHARE	0.005
#define MIN_COLOR_SHARE 0.0005

int main(int argc, char **argv)
{
	png_image image;
	unsigned char *pixels;
	int failed = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s SCREENSHOT.png NAME:X,Y,W,H...\n", argv[0]);
		return 2;
	}
	memset(&image, 0, sizeof(image));
	image.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&image, argv[1])) {
		fprintf(stderr, "pngregions: %s: %s\n", argv[1], image.message);
		return 1;
	}
	image.format = PNG_FORMAT_RGB;
	pixels = malloc(PNG_IMAGE_SIZE(image));
	if (!pixels || !png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
		fprintf(stderr, "pngregions: %s: %s\n", argv[1],
			pixels ? image.message : "no memory");
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		char name[128];
		double x, y, w, h;
		long ink = 0, color = 0, total = 0;

		if (sscanf(argv[i], "%127[^:]:%lf,%lf,%lf,%lf", name, &x, &y, &w, &h) != 5 ||
		    w < 1 || h < 1) {
			fprintf(stderr, "pngregions: not NAME:X,Y,W,H: %s\n", argv[i]);
			return 2;
		}
		if (x < 0 || y < 0 || x + w > image.width + 1 || y + h > image.height + 1) {
			printf("FAIL %s: %.0fx%.0f at %.0f,%.0f lies outside the %ux%u "
			       "screenshot\n",
			       name, w, h, x, y, image.width, image.height);
			failed = 1;
			continue;
		}
		for (unsigned int py = (unsigned int)y;
		     py < (unsigned int)(y + h) && py < image.height; py++) {
			for (unsigned int px = (unsigned int)x;
			     px < (unsigned int)(x + w) && px < image.width; px++) {
				const unsigned char *p =
					pixels + 3 * ((size_t)py * image.width + px);
				int max = p[0], min = p[0];

				for (int c = 1; c < 3; c++) {
					max = p[c] > max ? p[c] : max;
					min = p[c] < min ? p[c] : min;
				}
				total++;
				ink += min < 235;
				color += max - min > 60;
			}
		}
		printf("%s %s: %.1f%% ink, %.1f%% colour over %ld pixels\n",
		       (double)ink / total >= MIN_INK_SHARE &&
				       (double)color / total >= MIN_COLOR_SHARE
			       ? "ok  "
			       : "FAIL",
		       name, 100.0 * ink / total, 100.0 * color / total, total);
		if ((double)ink / total < MIN_INK_SHARE || (double)color / total < MIN_COLOR_SHARE)
			failed = 1;
	}
	free(pixels);
	png_image_free(&image);
	return failed;
}
