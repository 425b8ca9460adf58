#include <doctest/doctest.h>

#include "cilium/labels.h"

using namespace kvsnap;

TEST_CASE("label strings parse like Cilium's NewLabelArrayFromSortedList") {
  // The seed article's identity 12928.
  std::string s =
      "k8s:app=istio-ingressgateway;k8s:chart=gateways;k8s:heritage=Tiller;k8s:io.cilium.k8s.policy.cluster=default;"
      "k8s:io.cilium.k8s.policy.serviceaccount=ai-ingressgateway-service-account;"
      "k8s:io.kubernetes.pod.namespace=istio-system;k8s:istio=ai-ingressgateway;k8s:release=istio;";
  auto l = parse_labels(s);
  REQUIRE(l.size() == 8);
  CHECK(l[0].source == "k8s");
  CHECK(l[0].key == "app");
  CHECK(l[0].value == "istio-ingressgateway");
  CHECK(find_label(l, "io.kubernetes.pod.namespace")->value == "istio-system");
  CHECK(format_labels(l) == s);

  auto special = parse_labels("$host;reserved:=x;container:foo=;unspec-key;a:b:c=d=e;");
  REQUIRE(special.size() == 5);
  CHECK(special[0].source == "reserved");
  CHECK(special[0].key == "host");
  CHECK(special[1].source == "reserved");  // "reserved:=x": a reserved key after '='
  CHECK(special[1].key == "x");
  CHECK(special[2].source == "container");
  CHECK(special[2].value == "");
  CHECK(special[3].source == "unspec");
  CHECK(special[3].key == "unspec-key");
  CHECK(special[4].source == "a");
  CHECK(special[4].key == "b:c");  // first ':' splits the source, first '=' the value
  CHECK(special[4].value == "d=e");
}

TEST_CASE("canonical form: sorted by key, '=' always written, ';' after every label") {
  CHECK(format_labels(parse_labels("k8s:b=1;k8s:a=2;")) == "k8s:a=2;k8s:b=1;");
  CHECK(format_labels(parse_labels("k8s:a=1")) == "k8s:a=1;");
  CHECK(format_labels(parse_labels("k8s:a")) == "k8s:a=;");
}
