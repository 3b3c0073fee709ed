// One triangle that covers the viewport: the fragment shader does all the work, one fragment
// per pixel of the image being drawn (the viewport is that image's rectangle).
void main() {
  const vec2 corners[3] = vec2[3](vec2(-1.0, -1.0), vec2(3.0, -1.0), vec2(-1.0, 3.0));
  gl_Position = vec4(corners[gl_VertexID], 0.0, 1.0);
}
